"""One entry point for the five formats."""

from __future__ import annotations

from policygen_operator.domain.gitops import ack, cloudformation, crossplane, jsonfile, terraform
from policygen_operator.domain.gitops.model import EditRequest, EditResult, GitOpsEditError
from policygen_operator.domain.gitops.terraform import NOT_LITERAL

FORMATS = ("ack", "crossplane", "terraform", "cloudformation", "json")


def edit_files(fmt: str, files: dict[str, str], request: EditRequest, path: str) -> EditResult:
    """Edits ``files`` (repository-relative path -> text, all the files under ``path``)."""
    if not request.policies:
        raise GitOpsEditError("no policy to write: the generation produced no policy document")
    # Files whose every line ends in CRLF are edited as LF text and written back with CRLF: the pull
    # request changes the edited lines only, not every line of the file.
    crlf = {p for p, text in files.items() if "\r\n" in text and text.count("\n") == text.count("\r\n")}
    files = {p: text.replace("\r\n", "\n") if p in crlf else text for p, text in files.items()}
    if fmt not in FORMATS:
        raise GitOpsEditError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    try:
        if fmt == "json":
            result = jsonfile.edit(files, request, path)
        elif fmt == "terraform":
            # a path naming one file: the module's other files were not read (pullrequest.read_files)
            result = terraform.edit(files, request, whole_module=not path.endswith((".tf", ".tf.json")))
            check_replacements(result, request)
        else:
            editors = {"ack": ack.edit, "crossplane": crossplane.edit, "cloudformation": cloudformation.edit}
            result = editors[fmt](files, request)
            check_replacements(result, request)
    except GitOpsEditError as err:
        if fmt == "cloudformation":
            raise
        # The role may be in a CloudFormation template under the path, which no other format reads: said when
        # a template's role may be this one (its RoleName, or a name the template does not give), not
        # for any template with a role, which only misleads when the failure is unrelated.
        templates = [t for t in cloudformation.templates(files) if t.may_define(request.role_name)]
        if not templates:
            raise
        raise GitOpsEditError(f"{err}; {cloudformation.refusal(templates, request.role_name)}") from None
    result.changes = {
        p: text.replace("\n", "\r\n") if text is not None and p in crlf else text
        for p, text in result.changes.items()
    }
    return result


def check_replacements(result: EditResult, request: EditRequest) -> None:
    """Never a change that claims to replace a policy it leaves attached.

    A policy in ``replaceManagedPolicies`` that the editor did not find attached to the role, while the
    edit attaches the generated policy, would give the role both: the broad policy stays and the pull
    request's title says it was replaced. That is refused, naming what was seen. When the generated policy
    is already attached (the replacement was merged, or this is our own branch) nothing is claimed.
    """
    missing = [arn for arn in request.replace_arns if arn not in result.detached]
    if not missing or not result.attachment_added:
        return
    seen = "; ".join(result.seen) if result.seen else "no attachment at all"
    literal = any(NOT_LITERAL in line for line in result.seen)
    raise GitOpsEditError(
        f"replaceManagedPolicies: {', '.join(missing)} not found attached to role {request.role_name!r} "
        f"in {result.role_location or 'the code under the path'} (seen: {seen}); "
        "nothing was changed, so no pull request claims a replacement it did not make. "
        + (
            "Write the expression named above as a literal in that file, point path at the file(s) that "
            "attach it, or remove it from replaceManagedPolicies"
            if literal
            else "Point path at the file(s) that attach it, or remove it from replaceManagedPolicies"
        )
    )
