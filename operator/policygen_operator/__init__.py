"""policygen: least-privilege IAM policies from CloudTrail activity.

Layers, one folder each (imports only ever point down this list):

- ``handlers/``  kopf handlers: read kwargs, call one service, patch status.
- ``cli/``       argument parsing and printing for ``policygen``.
- ``services/``  use cases shared by the CLI and the operator (run a generation, publish it).
- ``adapters/``  everything that talks to the outside: AWS (boto3), Kubernetes, git and forges.
- ``domain/``    pure Python: CloudTrail records -> usage summary -> policy documents -> findings.
"""

__version__ = "0.1.0"
