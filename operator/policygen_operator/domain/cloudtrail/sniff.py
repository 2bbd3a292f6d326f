"""Whether a file whose name says nothing begins as a form the scan reads.

Archives do not name their objects after their content: Kinesis Data Firehose writes
``STREAM-VERSION-YYYY-MM-DD-HH-MM-SS-UUID`` with no extension unless it compresses (``.gz`` for GZIP;
Firehose Developer Guide, "Amazon S3 object name format" and "Custom prefixes": the key is
``<evaluated prefix><stream>-<version>-<year>-...-<uuid><file extension>``), and JSON Lines exports are
often named ``*.log``. Such a file is read when its first bytes are one of the forms read; anything else
beside the logs (the ``aws-logs-write-test`` marker CloudWatch Logs puts before an export, a README, text
logs) is passed over and counted. Only the head is looked at, so the test costs one small read per file
of an unknown name; files named as logs (``.json.gz``, CloudTrail's own) never pay for it.
"""

from __future__ import annotations

import re
import zlib

GZIP_MAGIC = b"\x1f\x8b"
# UTF-8's byte order mark, which Windows tools (PowerShell's Out-File, Notepad) put before JSON they write;
# JSON parsers may ignore it (RFC 8259, section 8.1), and the scan does, at the start of a file.
BOM = b"\xef\xbb\xbf"
# A line of a log group exported to S3 (CloudWatch Logs CreateExportTask, one ``000000.gz`` and on per log
# stream): the log event's timestamp, a space, then its message, a trail's record in a trail's log group.
# No AWS page spells the line out; real exports show it ("2020-09-08T04:00:24.000Z <message>", darold/pgbadger
# issue #609), getmoto/moto writes it so (moto/logs/models.py, create_export_task), and the CloudWatch Logs
# User Guide ("Exporting log data to Amazon S3") sorts exported files on the timestamp starting each line.
# The same saved from the API: `aws logs filter-log-events --query 'events[].[timestamp,message]' --output
# text` prints each event's timestamp, "the number of milliseconds after Jan 1, 1970 00:00:00 UTC"
# (CloudWatch Logs API Reference, FilteredLogEvent), a tab and its message (AWS CLI User Guide, "Text output
# format": tab-separated values).
EXPORT_LINE = re.compile(rb"(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z|\d{13})[ \t]")
# The start of a JSON object or array of objects (a delivery file, a record, an event, saved API output,
# JSON Lines, objects back to back), or of an export line whose message is one: "[INFO] ..." or a Lambda's
# exported "START RequestId: ..." are text, not records.
_READABLE_START = re.compile(rb'\s*(?:\{\s*["}]|\[\s*[{\]]|' + EXPORT_LINE.pattern + rb"\s*\{)")
HEAD_BYTES = 4096  # read of a file of an unknown name to decide; a gzip's inflated head is as long at most
# The first bytes of tables in files, which no form read is: Parquet ("PAR1", Apache Parquet's file format),
# ORC ("ORC", Apache ORC specification, "File Tail") and Avro object container files ("Obj" and 1, Apache
# Avro specification, "Object Container Files"), as Cost and Usage Reports, Athena UNLOAD and Firehose's
# record format conversion write them, often without an extension.
COLUMNAR_MAGIC = (b"PAR1", b"ORC", b"Obj\x01")


def readable_head(head: bytes) -> bool:
    """Whether ``head``, the first bytes of a file, begins as a form the scan reads: JSON objects, an array of
    them, an export line of one, each plain, after a byte order mark, or inside gzip. A gzip that cannot be
    inflated this far (corrupt, or cut short) counts as readable: the scan then names it with the reason."""
    if head[:2] == GZIP_MAGIC:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            head = inflater.decompress(head, HEAD_BYTES)
        except zlib.error:
            return True
        if not head and not inflater.eof:
            return True
    return _READABLE_START.match(head.removeprefix(BOM)) is not None


def not_logs(head: bytes) -> str | None:
    """Why a file of an unknown name whose first bytes are ``head`` is passed over, as the report counts it
    (``local.Listing.skip``): "tabularFiles" for a Parquet, ORC or Avro file, "notLogFiles" for anything
    else that is no form read; None when it begins as logs."""
    if readable_head(head):
        return None
    return "tabularFiles" if head.startswith(COLUMNAR_MAGIC) else "notLogFiles"
