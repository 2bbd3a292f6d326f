"""One entry point for the four formats."""

from __future__ import annotations

from policygen_operator.domain.gitops import ack, crossplane, jsonfile, terraform
from policygen_operator.domain.gitops.model import EditRequest, EditResult, GitOpsEditError

FORMATS = ("ack", "crossplane", "terraform", "json")


def edit_files(fmt: str, files: dict[str, str], request: EditRequest, path: str) -> EditResult:
    """Edits ``files`` (repository-relative path -> text, all the files under ``path``)."""
    if not request.policies:
        raise GitOpsEditError("no policy to write: the generation produced no policy document")
    if fmt == "ack":
        return ack.edit(files, request)
    if fmt == "crossplane":
        return crossplane.edit(files, request)
    if fmt == "terraform":
        return terraform.edit(files, request)
    if fmt == "json":
        return jsonfile.edit(files, request, path)
    raise GitOpsEditError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
