"""Cloud interruption notices: the cloud from fake DMI files under --root, the
metadata service from a fake HTTP server on 127.0.0.1 (AWS, Google Cloud,
Azure: no notice, a notice, garbage, a hang)."""

import calendar
import http.server
import json
import threading
import time

import pytest

from conftest import base_env, run_probe

AZURE_TAG = "7783-7084-3265-9085-8269-3286-77"
DMI = {"aws": {"sys_vendor": "Amazon EC2", "product_name": "g5.xlarge"},
       "gcp": {"sys_vendor": "Google", "product_name": "Google Compute Engine"},
       "azure": {"sys_vendor": "Microsoft Corporation", "chassis_asset_tag": AZURE_TAG}}
WHEN = "2026-11-27T21:42:00Z"
WHEN_UNIX = float(calendar.timegm(time.strptime(WHEN, "%Y-%m-%dT%H:%M:%SZ")))
AZURE_WHEN = "Fri, 27 Nov 2026 21:42:00 GMT"

ANSWERS = {
    ("aws", "none"): {"/latest/meta-data/spot/instance-action": (404, "")},
    ("aws", "notice"): {"/latest/meta-data/spot/instance-action":
                        (200, json.dumps({"action": "terminate", "time": WHEN}))},
    ("aws", "garbage"): {"/latest/meta-data/spot/instance-action": (200, "<html>oops")},
    ("gcp", "none"): {"/computeMetadata/v1/instance/preempted": (200, "FALSE"),
                      "/computeMetadata/v1/instance/maintenance-event": (200, "NONE")},
    ("gcp", "notice"): {"/computeMetadata/v1/instance/preempted": (200, "TRUE"),
                        "/computeMetadata/v1/instance/maintenance-event": (200, "NONE")},
    ("gcp", "garbage"): {"/computeMetadata/v1/instance/preempted": (200, "\x00\x01maybe"),
                         "/computeMetadata/v1/instance/maintenance-event": (200, "NONE")},
    ("azure", "none"): {"/metadata/scheduledevents": (200, json.dumps(
        {"DocumentIncarnation": 1, "Events": [{"EventType": "Freeze", "NotBefore": ""}]}))},
    ("azure", "notice"): {"/metadata/scheduledevents": (200, json.dumps(
        {"DocumentIncarnation": 2, "Events": [
            {"EventId": "A", "EventType": "Reboot", "NotBefore": "Fri, 27 Nov 2026 21:00:00 GMT"},
            {"EventId": "B", "EventType": "Preempt", "EventStatus": "Scheduled",
             "NotBefore": AZURE_WHEN, "Resources": ["vm1"]}]}))},
    ("azure", "garbage"): {"/metadata/scheduledevents": (200, '{"Events": 7}')},
}
HEADERS = {"aws": "x-aws-ec2-metadata-token", "gcp": "metadata-flavor", "azure": "metadata"}


class FakeMetadata:
    """http.server in a thread, answering as one cloud's metadata service."""

    def __init__(self):
        self.answers, self.hang, self.log = {}, False, []
        self.release = threading.Event()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self):
                fake.log.append((self.command, self.path,
                                 dict((k.lower(), v) for k, v in self.headers.items())))
                if fake.hang:
                    fake.release.wait(30)
                    return
                if self.command == "PUT" and self.path == "/latest/api/token":
                    code, body = 200, "token-123"
                else:
                    code, body = fake.answers.get(self.path.split("?")[0], (404, ""))
                data = body.encode("utf-8")
                self.send_response(code)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = answer

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def metadata():
    fake = FakeMetadata()
    yield fake
    fake.close()


def dmi_root(fake_root, cloud):
    for name, text in DMI[cloud].items():
        fake_root.write("sys/class/dmi/id/" + name, text + "\n")
    return str(fake_root.path)


def notice(probe, root, metadata, wait_s=10):
    return probe.interruption_notice(root, {probe.METADATA_URL_ENV: metadata.url}, wait_s=wait_s)


@pytest.mark.parametrize("cloud", ["aws", "gcp", "azure"])
def test_no_notice(probe, fake_root, metadata, cloud):
    metadata.answers = ANSWERS[(cloud, "none")]
    n = notice(probe, dmi_root(fake_root, cloud), metadata)
    assert n["cloud"] == cloud and n["kind"] is None and n["deadline_at"] is None
    assert n["error"] is None and n["detail"] is None and n["checked_at"] is not None
    assert all(HEADERS[cloud] in headers for _, _, headers in metadata.log if _ == "GET")


def test_aws_notice_uses_an_imdsv2_token(probe, fake_root, metadata):
    metadata.answers = ANSWERS[("aws", "notice")]
    n = notice(probe, dmi_root(fake_root, "aws"), metadata)
    assert (n["kind"], n["deadline_at"], n["error"]) == ("spot-terminate", WHEN_UNIX, None)
    assert n["detail"] == "spot instance-action terminate at " + WHEN
    (put, get) = metadata.log
    assert put[0] == "PUT" and put[2]["x-aws-ec2-metadata-token-ttl-seconds"] == "21600"
    assert get[2]["x-aws-ec2-metadata-token"] == "token-123"


def test_gcp_preemption_deadline_is_thirty_seconds_after_the_notice(probe, fake_root, metadata):
    metadata.answers = ANSWERS[("gcp", "notice")]
    before = time.time()
    n = notice(probe, dmi_root(fake_root, "gcp"), metadata)
    assert n["kind"] == "preempted"
    assert before + 30 <= n["deadline_at"] <= time.time() + 30


def test_gcp_maintenance_terminate(probe, fake_root, metadata):
    metadata.answers = dict(ANSWERS[("gcp", "none")])
    metadata.answers["/computeMetadata/v1/instance/maintenance-event"] = (
        200, "TERMINATE_ON_HOST_MAINTENANCE")
    n = notice(probe, dmi_root(fake_root, "gcp"), metadata)
    assert (n["kind"], n["deadline_at"]) == ("maintenance-terminate", None)


def test_azure_preempt_event(probe, fake_root, metadata):
    metadata.answers = ANSWERS[("azure", "notice")]
    n = notice(probe, dmi_root(fake_root, "azure"), metadata)
    assert (n["kind"], n["deadline_at"], n["error"]) == ("preempt", WHEN_UNIX, None)
    assert n["detail"] == "scheduled event Preempt (Scheduled), not before " + AZURE_WHEN
    assert metadata.log[0][1] == "/metadata/scheduledevents?api-version=2020-07-01"


@pytest.mark.parametrize("cloud, words", [
    ("aws", "spot/instance-action that could not be parsed: <html>oops"),
    ("gcp", "answers that could not be parsed"),
    ("azure", "scheduled events that could not be parsed"),
])
def test_garbage_gives_a_clear_error(probe, fake_root, metadata, cloud, words):
    metadata.answers = ANSWERS[(cloud, "garbage")]
    n = notice(probe, dmi_root(fake_root, cloud), metadata)
    assert n["kind"] is None and n["deadline_at"] is None and words in n["error"]


@pytest.mark.parametrize("cloud", ["aws", "gcp", "azure"])
def test_a_hung_service_does_not_hold_the_sample(probe, fake_root, metadata, cloud):
    metadata.hang = True
    root = dmi_root(fake_root, cloud)
    first = notice(probe, root, metadata, wait_s=None)  # the sample's own wait
    assert first["kind"] is None and first["error"]
    # once the poll's own timeout has passed, the reason is precise
    later = notice(probe, root, metadata, wait_s=10)
    assert "did not answer within 0.2 s" in later["error"]


def test_an_unreachable_service(probe, fake_root, metadata):
    url = metadata.url
    metadata.close()
    n = probe.interruption_notice(dmi_root(fake_root, "aws"), {probe.METADATA_URL_ENV: url},
                                  wait_s=10)
    assert "could not be reached" in n["error"]


def test_a_notice_survives_a_later_broken_answer(probe, fake_root, metadata):
    root = dmi_root(fake_root, "aws")
    metadata.answers = ANSWERS[("aws", "notice")]
    assert notice(probe, root, metadata)["kind"] == "spot-terminate"
    metadata.answers = ANSWERS[("aws", "garbage")]
    probe._CLOUD.next_poll.clear()  # as if the next 5 s had passed
    n = notice(probe, root, metadata)
    assert n["kind"] == "spot-terminate" and "could not be parsed" in n["error"]


def test_polls_at_most_every_five_seconds(probe, fake_root, metadata):
    metadata.answers = ANSWERS[("gcp", "none")]
    root = dmi_root(fake_root, "gcp")
    for _ in range(5):
        assert notice(probe, root, metadata)["error"] is None
    assert len(metadata.log) == 2  # one poll: preempted + maintenance-event
    assert probe.METADATA_POLL_S == 5.0


def test_not_a_cloud_vm_gives_null_and_no_request(probe, fake_root, metadata):
    fake_root.write("sys/class/dmi/id/sys_vendor", "Microsoft Corporation\n")  # Hyper-V, not Azure
    assert notice(probe, str(fake_root.path), metadata) is None
    assert probe.sample(root=str(fake_root.path))["interruption"] is None
    assert metadata.log == []


def test_older_xen_instances_count_as_aws(probe, fake_root):
    fake_root.write("sys/class/dmi/id/sys_vendor", "Xen\n")
    fake_root.write("sys/class/dmi/id/bios_version", "4.11.amazon\n")
    assert probe.detect_cloud(str(fake_root.path)) == "aws"


def test_the_script_reports_the_notice_under_root(fake_root, metadata):
    metadata.answers = ANSWERS[("azure", "notice")]
    root = dmi_root(fake_root, "azure")
    samples, _ = run_probe("--root", root, env=base_env(
        JUPYTERLAB_GPU_SESSION_METADATA_URL=metadata.url))
    n = samples[0]["interruption"]
    # the script's one sample may return before the answer: then it says so
    assert n["cloud"] == "azure"
    assert n["kind"] == "preempt" or "has not answered yet" in n["error"]
    samples, _ = run_probe("--root", str(fake_root.path), "--repeat", "2", "--interval", "0.5",
                           env=base_env(JUPYTERLAB_GPU_SESSION_METADATA_URL=metadata.url))
    assert samples[-1]["interruption"]["kind"] == "preempt"
