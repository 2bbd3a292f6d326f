"""Edits of infrastructure code that swap broad managed policies for a generated one, and the PR text.

Pure: callers hand in the text of the files under the requested path and get back the new text of the
files to change. Nothing here touches the disk, git or a forge.
"""
