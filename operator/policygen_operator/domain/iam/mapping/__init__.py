"""CloudTrail record -> IAM actions and resources. The public API is ``EventMapper().map(record)``.

Modules, by what they do: ``rules`` (hand-kept tables), ``records`` (what a record says besides its
parameters, and ``MappedEvent``), ``resolvers`` (parameters -> ARNs, each declaring what it reads),
``plans`` (compilation per event name, memo keys), ``fill`` (ARN filling), ``mapper`` (``EventMapper``).
"""

from policygen_operator.domain.iam.mapping.mapper import EventMapper
from policygen_operator.domain.iam.mapping.records import (
    Context,
    Kind,
    MappedEvent,
    context_of,
    is_denied,
)

__all__ = ["Context", "EventMapper", "Kind", "MappedEvent", "context_of", "is_denied"]
