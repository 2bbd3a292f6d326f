"""``policygen generate`` end to end, as a user runs it: a subprocess on the shipped sample logs."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.aws import moto_client

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "examples" / "cloudtrail"
ORDER = "arn:aws:iam::111122223333:role/service-role/order-processor"
DEPLOYER = "arn:aws:iam::111122223333:role/ci-deployer"
ALICE = "arn:aws:iam::111122223333:user/people/alice"
WINDOW = ["--start", "2026-11-01", "--end", "2026-12-01"]


def policygen(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policygen_operator.cli.main", "generate", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def actions(policy: dict[str, Any]) -> set[str]:
    return {a for s in policy["Statement"] for a in s["Action"]}


@pytest.fixture(scope="module")
def order_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    report = tmp_path_factory.mktemp("report") / "report.json"
    run = policygen("--logs", str(SAMPLES), "--principal", ORDER, *WINDOW, "--report", str(report))
    assert report.exists(), run.stderr
    return run, json.loads(report.read_text())


def test_prints_a_policy_for_the_sample_logs(order_run: tuple[subprocess.CompletedProcess[str], Any]) -> None:
    run, _ = order_run
    assert run.returncode == 0, run.stderr
    policy = json.loads(run.stdout)
    assert policy["Version"] == "2012-10-17"
    assert actions(policy) >= {
        "s3:GetObject",
        "s3:PutObject",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sns:Publish",
        "secretsmanager:GetSecretValue",
        "ssm:GetParameter",
        "lambda:InvokeFunction",
    }
    # Denied calls stay out by default; calls needing no permission never go in.
    assert not actions(policy) & {"s3:DeleteObject", "dynamodb:DeleteTable", "sts:GetCallerIdentity"}
    # The broken sample files are named on stderr, and the run still succeeds.
    for name in ("not-a-log.json", "missing-fields.json", "_KfDXzFLWUDs0oiur.json.gz"):
        assert name in run.stderr
    assert "policy written to stdout" in run.stderr
    # Events needing no permission are said to be ignored, with the reason (issue 9 item 2).
    assert "event(s) ignored (sts.amazonaws.com:GetCallerIdentity x5: needs no permission)" in run.stderr
    assert "not understood" not in run.stderr


def test_report_has_counts_actions_denied_and_skipped_files(order_run: tuple[Any, dict[str, Any]]) -> None:
    _, report = order_run
    assert report["outcome"] == "ok"
    assert report["window"] == {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"}
    assert report["filesScanned"] == 10
    assert report["eventsScanned"] == 107
    assert report["eventsMatched"] == 57
    assert report["badRecords"] == 2
    assert sorted(Path(name).name for name in report["filesSkipped"]) == [
        "111122223333_CloudTrail_us-east-1_20261125T1705Z_KfDXzFLWUDs0oiur.json.gz",
        "not-a-log.json",
    ]
    assert report["filesSkipped"][str(SAMPLES / "malformed" / "not-a-log.json")].startswith("not JSON")
    mine = report["principals"][ORDER]
    assert mine["actions"]["dynamodb:GetItem"]["count"] == 4
    assert mine["actions"]["dynamodb:GetItem"]["firstSeen"] == "2026-11-24T09:00:09Z"
    assert mine["actions"]["dynamodb:GetItem"]["lastSeen"] == "2026-11-26T16:00:09Z"
    assert set(mine["denied"]) == {"s3:DeleteObject", "dynamodb:DeleteTable"}
    assert mine["ignored"] == {"sts.amazonaws.com:GetCallerIdentity": 5}
    assert report["ignoredReasons"]["sts.amazonaws.com:GetCallerIdentity"] == "needs no permission"
    assert mine["findings"] == [] or all(f["severity"] != "error" for f in mine["findings"])
    assert len(mine["policies"]) == 1 and len(mine["policies"][0]["sha256"]) == 64


def test_output_file_is_the_same_policy(tmp_path: Path, order_run: tuple[Any, Any]) -> None:
    out = tmp_path / "policy.json"
    run = policygen("--logs", str(SAMPLES), "--principal", ORDER, *WINDOW, "--output", str(out), "--quiet")
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    assert json.loads(out.read_text()) == json.loads(order_run[0].stdout)
    assert [p.name for p in tmp_path.iterdir()] == ["policy.json"]  # no temporary file left


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_written_files_get_the_mode_a_plain_write_gives(tmp_path: Path, umask: int) -> None:
    """QA bug 8: the atomic write (mkstemp + rename) made every file 0600, an existing 0644 policy
    included, so the CI step or user that reads it next could not. An existing file keeps its mode, a
    new one gets 0666 less the umask, as shell redirection would: --output, --report and --output-dir."""
    kept = tmp_path / "kept.json"
    kept.write_text("{}")
    kept.chmod(0o640)
    (tmp_path / "dir").mkdir()
    old_report = tmp_path / "old-report.json"
    old_report.write_text("{}")
    old_report.chmod(0o604)

    def run(*args: str) -> None:
        command = [sys.executable, "-m", "policygen_operator.cli.main", "generate", "--logs", str(SAMPLES)]
        done = subprocess.run(
            [*command, *WINDOW, *args, "--quiet"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            preexec_fn=lambda: os.umask(umask),
        )
        assert done.returncode == 0, done.stderr

    run("--principal", ORDER, "--output", str(kept), "--report", str(tmp_path / "new-report.json"))
    run("--principal", ORDER, "--output", str(tmp_path / "new.json"), "--report", str(old_report))
    run("--principal", ORDER, "--principal", ALICE, "--output-dir", str(tmp_path / "dir"))
    modes = {
        p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in tmp_path.rglob("*.json")
    }
    fresh = 0o666 & ~umask
    assert modes == {
        "kept.json": 0o640,
        "old-report.json": 0o604,
        "new-report.json": fresh,
        "new.json": fresh,
        "dir/order-processor.json": fresh,
        "dir/alice.json": fresh,
    }
    assert json.loads(kept.read_text())["Version"] == "2012-10-17"


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--principal", "arn:aws:iam::1234:role/x"], "--principal"),
        (["--principal", "order-processor"], "--principal"),
        (["--principal", ORDER, "--start", "yesterday"], "--start"),
        (["--principal", ORDER, "--end", "2026-13-45"], "--end"),
        (["--principal", ORDER, "--start", "2026-12-01", "--end", "2026-11-01"], "--start"),
        (["--principal", ORDER, "--lookback", "5x"], "--lookback"),
        (["--principal", ORDER, "--lookback", "5d", "--start", "2026-11-01"], "--lookback"),
        (["--principal", ORDER, "--principal", DEPLOYER], "--output-dir"),
        (["--principal", ORDER, "--account", "12345"], "--account"),
        (["--principal", ORDER, "--max-file-size", "lots"], "--max-file-size"),
    ],
)
def test_usage_errors_name_the_flag(args: list[str], flag: str) -> None:
    run = policygen("--logs", str(SAMPLES), *args)
    assert run.returncode == 2, run.stderr
    assert flag in run.stderr
    assert run.stdout == ""


def test_output_and_report_naming_one_file_is_a_usage_error(tmp_path: Path) -> None:
    """QA bug 7: ``--output F --report F`` exited 0 and F held the report, not the policy. The same file
    by another spelling (``..``, a symbolic link, a hard link) is refused too, before anything is read
    or written."""
    out = tmp_path / "policy.json"
    out.write_text('{"old": true}\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.json").symlink_to(out)
    os.link(out, tmp_path / "hard.json")
    for report in (
        out,
        tmp_path / "sub" / ".." / "policy.json",
        tmp_path / "link.json",
        tmp_path / "hard.json",
    ):
        run = policygen(
            "--logs",
            str(SAMPLES),
            "--principal",
            ORDER,
            *WINDOW,
            "--output",
            str(out),
            "--report",
            str(report),
        )
        assert run.returncode == 2, (report, run.stderr)
        assert "--output" in run.stderr and "--report" in run.stderr
        assert run.stdout == "" and "warning" not in run.stderr  # refused before the scan
        assert out.read_text() == '{"old": true}\n'
    fresh = tmp_path / "fresh.json"
    run = policygen(
        "--logs", str(SAMPLES), "--principal", ORDER, *WINDOW, "--output", str(fresh), "--report", str(fresh)
    )
    assert run.returncode == 2 and not fresh.exists()


def test_missing_logs_is_a_usage_error() -> None:
    run = policygen("--logs", "no/such/folder", "--principal", ORDER)
    assert run.returncode == 2
    assert "--logs" in run.stderr


def test_no_matching_events_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "policy.json"
    report = tmp_path / "report.json"
    run = policygen(
        "--logs",
        str(SAMPLES),
        "--principal",
        "arn:aws:iam::111122223333:role/nobody",
        *WINDOW,
        "--output",
        str(out),
        "--report",
        str(report),
    )
    assert run.returncode == 3, run.stderr
    assert "no matching events" in run.stderr
    assert not out.exists()
    assert json.loads(report.read_text())["outcome"] == "noMatchingEvents"
    # Outside the window the order processor has no events either.
    out.write_text("previous policy\n")
    run = policygen(
        "--logs",
        str(SAMPLES),
        "--principal",
        ORDER,
        "--start",
        "2026-10-01",
        "--end",
        "2026-11-01",
        "--output",
        str(out),
    )
    assert run.returncode == 3
    assert out.read_text() == "previous policy\n"  # untouched


def test_strict_turns_bad_input_into_an_error(tmp_path: Path) -> None:
    out = tmp_path / "policy.json"
    run = policygen("--logs", str(SAMPLES), "--principal", ORDER, *WINDOW, "--strict", "--output", str(out))
    assert run.returncode == 1
    assert "--strict" in run.stderr and "not-a-log.json" in run.stderr
    assert not out.exists()
    clean = policygen("--logs", str(SAMPLES / "AWSLogs"), "--principal", ORDER, *WINDOW, "--strict")
    assert clean.returncode == 0, clean.stderr


def test_a_gzip_past_the_file_size_cap_is_skipped_and_named(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    shutil.copytree(SAMPLES / "AWSLogs", logs / "AWSLogs")
    bomb = logs / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b" " * (2 * 1024 * 1024)))
    report = tmp_path / "report.json"
    args = ["--logs", str(logs), "--principal", ORDER, *WINDOW, "--report", str(report)]
    run = policygen(*args, "--max-file-size", "1M")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["Statement"]
    skipped = json.loads(report.read_text())["filesSkipped"]
    assert skipped == {str(bomb): "inflates past 1 MiB (the file size cap)"}
    assert "bomb.json.gz" in run.stderr
    assert policygen(*args).returncode == 0  # under the default cap the blanks are read: an empty file
    assert json.loads(report.read_text())["filesSkipped"] == {str(bomb): "empty file"}


def test_several_principals_go_to_output_dir(tmp_path: Path) -> None:
    run = policygen(
        "--logs",
        str(SAMPLES),
        "--principal",
        ORDER,
        "--principal",
        DEPLOYER,
        "--principal",
        ALICE,
        *WINDOW,
        "--output-dir",
        str(tmp_path / "policies"),
        "--quiet",
    )
    assert run.returncode == 0, run.stderr
    files = sorted(p.name for p in (tmp_path / "policies").iterdir())
    assert files == ["alice.json", "ci-deployer.json", "order-processor.json"]
    deployer = json.loads((tmp_path / "policies" / "ci-deployer.json").read_text())
    assert {"lambda:UpdateFunctionCode", "iam:PassRole"} <= actions(deployer)
    alice = json.loads((tmp_path / "policies" / "alice.json").read_text())
    assert "signin:ConsoleLogin" not in actions(alice)  # console sign-ins need no policy
    assert "iam:CreateUser" not in actions(alice)  # denied


def test_policy_options(tmp_path: Path) -> None:
    denied = json.loads(
        policygen("--logs", str(SAMPLES), "--principal", ORDER, *WINDOW, "--include-denied").stdout
    )
    assert {"s3:DeleteObject", "dynamodb:DeleteTable"} <= actions(denied)
    flat = json.loads(
        policygen("--logs", str(SAMPLES), "--principal", ORDER, *WINDOW, "--no-resource-level").stdout
    )
    assert {r for s in flat["Statement"] for r in s["Resource"]} == {"*"}
    no_kms = policygen(
        "--logs",
        str(SAMPLES),
        "--principal",
        ORDER,
        *WINDOW,
        "--exclude-action",
        "kms:*",
        "--exclude-action",
        "sns:Publish",
    )
    assert not {a for a in actions(json.loads(no_kms.stdout)) if a.startswith("kms:") or a == "sns:Publish"}


def test_window_and_filters_select_files_and_records(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    run = policygen(
        "--logs",
        str(SAMPLES / "AWSLogs"),
        "--principal",
        ORDER,
        "--start",
        "2026-11-26T00:00:00Z",
        "--end",
        "2026-11-27T00:00:00Z",
        "--report",
        str(report),
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(report.read_text())
    assert data["filesScanned"] == 2  # the 26th's two files; the other days' folders are never entered
    keys = {r for s in json.loads(run.stdout)["Statement"] for r in s["Resource"] if ":s3:::" in r}
    assert all("/2026/11/26/" in k for k in keys)
    eu = policygen("--logs", str(SAMPLES / "AWSLogs"), "--principal", ORDER, *WINDOW, "--region", "eu-west-1")
    assert actions(json.loads(eu.stdout)) == {"sqs:GetQueueAttributes"}


@pytest.mark.parametrize("name", ["lake-export.jsonl", "query-result.json"])
def test_exports_are_read_on_their_own(name: str) -> None:
    principal = ORDER if name.endswith("jsonl") else DEPLOYER
    run = policygen("--logs", str(SAMPLES / "exports" / name), "--principal", principal, *WINDOW)
    assert run.returncode == 0, run.stderr
    assert actions(json.loads(run.stdout))


def test_progress_on_request_and_help() -> None:
    run = policygen("--logs", str(SAMPLES), "--principal", ORDER, *WINDOW, "--progress")
    assert "scanning:" in run.stderr and "events/s" in run.stderr
    quiet = policygen("--logs", str(SAMPLES / "AWSLogs"), "--principal", ORDER, *WINDOW, "--quiet")
    assert quiet.stderr == ""
    helped = policygen("--help")
    assert helped.returncode == 0
    assert "examples:" in helped.stdout and "exit codes" in helped.stdout and "--lookback" in helped.stdout


@pytest.mark.moto
def test_s3_source_gives_the_same_policy_as_local_files(moto_server: str, tmp_path: Path) -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="trail")
    for path in (SAMPLES / "AWSLogs").rglob("*.json.gz"):
        s3.put_object(
            Bucket="trail", Key=f"logs/{path.relative_to(SAMPLES).as_posix()}", Body=path.read_bytes()
        )
    s3.put_object(
        Bucket="trail",
        Key="logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/25/"
        "111122223333_CloudTrail_us-east-1_20261125T2000Z_Broken0000000000.json.gz",
        Body=gzip.compress(b'{"Records": [')[:-5],
    )
    remote = policygen(
        "--logs",
        "s3://trail/logs",
        "--endpoint-url",
        moto_server,
        "--principal",
        ORDER,
        *WINDOW,
        "--report",
        str(tmp_path / "r.json"),
        env=env,
    )
    assert remote.returncode == 0, remote.stderr
    local = policygen("--logs", str(SAMPLES / "AWSLogs"), "--principal", ORDER, *WINDOW)
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    assert "s3://trail/logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/25/" in remote.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert list(report["filesSkipped"].values()) == ["truncated gzip"]
    missing = policygen(
        "--logs", "s3://no-such-bucket", "--endpoint-url", moto_server, "--principal", ORDER, env=env
    )
    assert missing.returncode == 2 and "NoSuchBucket" in missing.stderr


@pytest.mark.moto
def test_an_s3_day_folder_or_key_reads_what_it_names(moto_server: str, tmp_path: Path) -> None:
    """QA bug 5: a URL below the region (a day folder, one object key) was widened to the whole region,
    so calls of other days went into the policy; it now reads what the same folder or file on disk does."""
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="day-trail")
    for path in (SAMPLES / "AWSLogs").rglob("*.json.gz"):
        s3.put_object(Bucket="day-trail", Key=path.relative_to(SAMPLES).as_posix(), Body=path.read_bytes())
    day = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/25/"
    key = sorted(p.relative_to(SAMPLES).as_posix() for p in (SAMPLES / day).glob("*.json.gz"))[0]

    def counts(logs: str, name: str, *extra: str) -> tuple[int, int]:
        run = policygen(
            "--logs", logs, "--principal", ORDER, *WINDOW, "--report", str(tmp_path / name), *extra, env=env
        )
        assert run.returncode in (0, 3), run.stderr
        report = json.loads((tmp_path / name).read_text())
        return report["filesScanned"], report["eventsMatched"]

    remote = ("--endpoint-url", moto_server)
    assert counts(f"s3://day-trail/{day}", "d.json", *remote) == counts(str(SAMPLES / day), "l.json")
    assert counts(f"s3://day-trail/{key}", "k.json", *remote) == counts(str(SAMPLES / key), "f.json")
    assert counts(f"s3://day-trail/{key}", "k.json", *remote)[0] == 1


@pytest.mark.parametrize("variable", ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"])
@pytest.mark.parametrize("logs", ["s3://trail", "lookup-events://", "athena://trail.events"])
def test_an_unknown_profile_is_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, logs: str
) -> None:
    """QA bug 9: a profile in no AWS config file was blamed on --endpoint-url/--role-arn, flags never
    given; the message names the variable that chose the profile (exit 2: no retry fixes it)."""
    config = tmp_path / "config"
    config.write_text("[profile real]\nregion = us-east-1\n")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_PROFILE", raising=False)
    env = {
        variable: "nope",
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
    }
    window = ["--lookback", "30d", "--region", "us-east-1"]
    run = policygen("--logs", logs, "--principal", ORDER, *window, env=env)
    assert run.returncode == 2, run.stderr
    assert f"error: {variable}: " in run.stderr and "(nope)" in run.stderr
    assert "--endpoint-url" not in run.stderr and "--role-arn" not in run.stderr


def test_ctrl_c_stops_the_workers_and_writes_nothing(tmp_path: Path) -> None:
    """QA bug 6: Ctrl-C (SIGINT to the whole process group, as a terminal sends it) left about one run in
    six hung for ever in the pool's shutdown, and the others printed a traceback. Now: exit 130 with one
    line, no worker left, an existing --output untouched and no temporary file. SIGINT is sent once the
    scan has printed progress (never by a timer), three times, the last time twice in a row."""
    logs = tmp_path / "logs"
    logs.mkdir()
    record = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": "arn:aws:sts::111122223333:assumed-role/order-processor/s1",
            "accountId": "111122223333",
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": ORDER, "accountId": "111122223333"}},
        },
        "eventTime": "2026-11-24T09:01:00Z",
        "eventSource": "dynamodb.amazonaws.com",
        "eventName": "GetItem",
        "awsRegion": "us-east-1",
        "requestParameters": {"tableName": "orders"},
        "recipientAccountId": "111122223333",
    }
    body = gzip.compress(json.dumps({"Records": [record] * 4000}).encode(), mtime=0)
    for n in range(400):  # enough for minutes of scanning on one core: SIGINT always comes first
        (logs / f"f{n:04d}.json.gz").write_bytes(body)
    out = tmp_path / "out" / "policy.json"
    out.parent.mkdir()
    out.write_text('{"old": true}\n')
    command = [sys.executable, "-m", "policygen_operator.cli.main", "generate", "--logs", str(logs)]
    command += [
        "--principal",
        ORDER,
        *WINDOW,
        "--output",
        str(out),
        "--report",
        str(tmp_path / "out" / "r.json"),
    ]
    for times in (1, 1, 2):
        with subprocess.Popen(
            [*command, "--progress", "--workers", "2"],
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        ) as run:
            assert run.stderr is not None
            first = run.stderr.readline()  # the first progress line: the pool is scanning
            assert first.startswith("scanning:"), first
            for _ in range(times):
                os.killpg(run.pid, signal.SIGINT)
            try:
                code = run.wait(timeout=60)
            finally:
                if run.poll() is None:
                    os.killpg(run.pid, signal.SIGKILL)
            rest = run.stderr.read()
        lines = [line for line in rest.splitlines() if not line.startswith("scanning:")]
        assert code == 130, rest
        assert lines == ["policygen generate: interrupted; nothing written"], rest
        with pytest.raises(ProcessLookupError):  # no worker of its group is left
            os.killpg(run.pid, 0)
        assert out.read_text() == '{"old": true}\n'
        assert sorted(p.name for p in out.parent.iterdir()) == ["policy.json"]


def test_the_samples_regenerate_to_the_same_content(tmp_path: Path) -> None:
    """The committed samples are what the script makes (gzip compared inflated: zlib builds differ)."""
    copy = tmp_path / "examples"
    copy.mkdir()
    shutil.copy(ROOT / "examples" / "make_cloudtrail_samples.py", copy)
    subprocess.run(
        [sys.executable, str(copy / "make_cloudtrail_samples.py")], check=True, capture_output=True
    )
    made = sorted(p.relative_to(copy / "cloudtrail") for p in (copy / "cloudtrail").rglob("*") if p.is_file())
    assert made == sorted(p.relative_to(SAMPLES) for p in SAMPLES.rglob("*") if p.is_file())
    for relative in made:
        ours, theirs = (SAMPLES / relative).read_bytes(), (copy / "cloudtrail" / relative).read_bytes()
        if relative.name.endswith(".gz") and "malformed" not in relative.parts:
            assert gzip.decompress(ours) == gzip.decompress(theirs), relative
        elif relative.name.endswith(".gz"):  # the truncated sample: half a gzip stream of the same JSON
            short, long = sorted((_inflate_prefix(ours), _inflate_prefix(theirs)), key=len)
            assert short and long.startswith(short), relative
        else:
            assert ours == theirs, relative


def _inflate_prefix(data: bytes) -> bytes:
    import zlib

    return zlib.decompressobj(31).decompress(data)


def test_a_compacted_pattern_is_reported_and_printed(tmp_path: Path) -> None:
    """Past the compaction threshold a policy names ARNs by a pattern that allows more than the calls used:
    that widening is a finding in the report and a warning on stderr, never silent."""
    secrets = [f"{team}/db-{n}" for team in ("prod", "staging", "ci") for n in range(4)][:11]
    records = [
        {
            "eventVersion": "1.09",
            "userIdentity": {
                "type": "IAMUser",
                "arn": ALICE,
                "accountId": "111122223333",
                "userName": "alice",
            },
            "eventTime": "2026-11-10T12:00:00Z",
            "eventSource": "secretsmanager.amazonaws.com",
            "eventName": "GetSecretValue",
            "awsRegion": "us-east-1",
            "requestParameters": {
                "secretId": f"arn:aws:secretsmanager:us-east-1:111122223333:secret:{name}-AbCdEf"
            },
            "responseElements": None,
            "eventType": "AwsApiCall",
            "recipientAccountId": "111122223333",
        }
        for name in secrets
    ]
    logs = tmp_path / "secrets.json"
    logs.write_text(json.dumps({"Records": records}))
    report = tmp_path / "report.json"
    run = policygen("--logs", str(logs), "--principal", ALICE, *WINDOW, "--report", str(report))
    assert run.returncode == 0, run.stderr
    pattern = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-*"
    assert pattern in run.stdout
    (finding,) = [
        f for f in json.loads(report.read_text())["principals"][ALICE]["findings"] if f["code"] == "compacted"
    ]
    assert finding["severity"] == "warning"
    assert finding["message"].startswith(
        f"{pattern} stands for 4 ARN(s) the calls used (secretsmanager:GetSecretValue)"
    )
    assert f"warning: {ALICE}: {pattern} stands for 4 ARN(s)" in run.stderr


def _password_call(arn: str, **error: str) -> dict[str, Any]:
    """A user's EC2 GetPasswordData on one instance, refused when ``error`` holds an errorCode."""
    return {
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "arn": arn, "accountId": "111122223333"},
        "eventTime": "2026-11-10T10:00:00Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "GetPasswordData",
        "awsRegion": "us-east-1",
        "requestParameters": {"instanceId": "i-0123456789abcdef0"},
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333",
        **error,
    }


def test_a_principal_whose_calls_were_all_refused_is_told_so(tmp_path: Path) -> None:
    """Its events matched; "no matching events" sent users looking for a wrong ARN or window."""

    refused = "arn:aws:iam::111122223333:user/refused"
    logs = tmp_path / "calls.json"
    denied = {"errorCode": "Client.UnauthorizedOperation", "errorMessage": "You are not authorized"}
    logs.write_text(json.dumps({"Records": [_password_call(refused, **denied), _password_call(ALICE)]}))
    both = ("--principal", refused, "--principal", ALICE, "--output-dir", str(tmp_path / "out"))
    run = policygen("--logs", str(logs), *both, *WINDOW, "--quiet")
    assert run.returncode == 3
    assert (
        f"no policy written for {refused}: its calls were refused (ec2:GetPasswordData); "
        "--include-denied grants them"
    ) in run.stderr
    alone = policygen("--logs", str(logs), "--principal", refused, *WINDOW)
    assert alone.returncode == 3 and "(--include-denied grants the refused ones)" in alone.stderr
    granted = policygen("--logs", str(logs), *both, *WINDOW, "--quiet", "--include-denied")
    assert granted.returncode == 0, granted.stderr


def test_a_principal_whose_events_need_no_permission_is_told_so(tmp_path: Path) -> None:
    """Filebeat's console-login-json.log (elastic/beats x-pack/filebeat/module/aws/cloudtrail/test, the
    CloudTrail User Guide's ConsoleLogin example): JohnDoe's only event is a console sign-in, which needs no
    IAM action. Beside a principal with a policy, it was told "no matching events", which sent users looking
    for a wrong ARN or window; it is now told its events matched and why none is allowed."""
    login = {
        "eventVersion": "1.05",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDACKCEVSQ6C2EXAMPLE",
                         "arn": "arn:aws:iam::111122223333:user/JohnDoe", "accountId": "111122223333",
                         "userName": "JohnDoe"},
        "eventTime": "2026-11-10T15:49:27Z",  # moved into the test's window
        "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
        "awsRegion": "us-east-2", "sourceIPAddress": "192.0.2.110",
        "userAgent": "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:24.0) Gecko/20100101 Firefox/24.0",
        "requestParameters": None, "responseElements": {"ConsoleLogin": "Success"},
        "additionalEventData": {"MobileVersion": "No", "LoginTo": "https://console.aws.amazon.com/s3/",
                                "MFAUsed": "No"},
        "eventID": "3fcfb182-98f8-4744-bd45-10aEXAMPLE",
    }  # fmt: skip
    call = _password_call(ALICE)
    logs = tmp_path / "calls.json"
    logs.write_text(json.dumps({"Records": [login, call]}))
    john = "arn:aws:iam::111122223333:user/JohnDoe"
    both = ("--principal", john, "--principal", ALICE, "--output-dir", str(tmp_path / "out"))
    run = policygen("--logs", str(logs), *both, *WINDOW, "--quiet")
    assert run.returncode == 3
    assert (
        f"no policy written for {john}: its 1 event(s) matched, none to allow: 1 ignored "
        "(signin.amazonaws.com:ConsoleLogin: console sign-in (no IAM action))"
    ) in run.stderr
    assert "no matching events for" not in run.stderr


def test_warnings_past_twenty_are_counted_not_printed(tmp_path: Path) -> None:
    """Thirty records without eventTime: the terminal gets twenty warnings and the count of the rest."""
    record = {
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "arn": ALICE},
        "eventName": "GetObject",
    }
    logs = tmp_path / "export.json"
    logs.write_text(json.dumps({"Records": [record] * 30}, indent=1))
    run = policygen("--logs", str(logs), "--principal", ALICE, *WINDOW)
    warnings = [line for line in run.stderr.splitlines() if line.startswith("policygen generate: warning:")]
    assert len(warnings) == 21
    assert (
        warnings[-1] == "policygen generate: warning: ... and 10 more warning(s) (--report FILE keeps them)"
    )
    report = tmp_path / "report.json"
    policygen("--logs", str(logs), "--principal", ALICE, *WINDOW, "--report", str(report))
    assert len(json.loads(report.read_text())["warnings"]) == 30
