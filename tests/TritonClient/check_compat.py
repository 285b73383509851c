"""Drives a running server with Triton's own Python HTTP client and prints what works.

A manual check, not part of the test suite: tritonclient comes from PyPI, which the build environment cannot reach.
Needs numpy, geventhttpclient and rapidjson (Debian: python3-numpy python3-geventhttpclient python3-rapidjson) and
tritonclient on PYTHONPATH (pip install tritonclient[http], or the client repository's src/python/library). The server
must serve iris-mlp and a string echo model named text-echo (input "text", output "same", STRING [-1]) and run with
--Inference:MaxRequestBytes=1048576:

    PYTHONPATH=<tritonclient> python3 tests/TritonClient/check_compat.py 127.0.0.1:7071
"""
import sys

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

url = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:7071"
client = httpclient.InferenceServerClient(url=url)
iris = np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]], dtype=np.float32)


def features(data=iris, binary=True):
    tensor = httpclient.InferInput("features", list(data.shape), "FP32")
    tensor.set_data_from_numpy(data, binary_data=binary)
    return tensor


def infer(binary_in, binary_out):
    outputs = [httpclient.InferRequestedOutput(name, binary_data=binary_out) for name in ("label", "probabilities")]
    labels = client.infer("iris-mlp", [features(binary=binary_in)], outputs=outputs).as_numpy("label").tolist()
    assert labels == [0, 2], labels
    return labels


def infer_bytes(binary):
    sent = np.array([b"hello", b"a\x00b", b"\xff\xfe", b""] if binary else [b"hello", "w\u00f6rld".encode()], dtype=np.object_)
    tensor = httpclient.InferInput("text", list(sent.shape), "BYTES")
    tensor.set_data_from_numpy(sent, binary_data=binary)
    got = client.infer("text-echo", [tensor], outputs=[httpclient.InferRequestedOutput("same", binary_data=binary)]).as_numpy("same")
    assert [bytes(g) if binary else g.encode() if isinstance(g, str) else g for g in got.tolist()] == sent.tolist(), got
    return len(got)


def async_infer():
    pooled = httpclient.InferenceServerClient(url=url, concurrency=4)
    pending = [pooled.async_infer("iris-mlp", [features()]) for _ in range(8)]
    return [p.get_result().as_numpy("label").tolist() for p in pending][0]


def refused(call, status, prefix=""):
    try:
        call()
    except InferenceServerException as e:
        assert e.status() == str(status) and e.message().startswith(prefix), (e.status(), e.message())
        return e.message()[:60]
    raise AssertionError("no error")


checks = {
    "live and ready": lambda: client.is_server_live() and client.is_server_ready(),
    "server metadata": lambda: client.get_server_metadata()["extensions"],
    "model metadata": lambda: [i["datatype"] for i in client.get_model_metadata("text-echo")["inputs"]],
    "model config": lambda: client.get_model_config("iris-mlp")["max_batch_size"],
    "model ready": lambda: client.is_model_ready("iris-mlp"),
    "infer JSON": lambda: infer(False, False),
    "infer binary": lambda: infer(True, True),
    "infer mixed": lambda: infer(True, False),
    "BYTES binary (NUL, 0xFF)": lambda: infer_bytes(True),
    "BYTES JSON": lambda: infer_bytes(False),
    "async_infer": async_infer,
    "statistics": lambda: client.get_inference_statistics("iris-mlp")["model_stats"][0]["inference_stats"]["success"]["count"],
    "repository index": lambda: [m["name"] for m in client.get_model_repository_index()],
    "unload and load": lambda: (client.unload_model("text-echo"), client.load_model("text-echo"), client.is_model_ready("text-echo"))[2],
    "unknown model wording": lambda: refused(lambda: client.infer("nope", [features()]), 404, "Request for unknown model: 'nope' is not found"),
    "body 4x over the limit": lambda: refused(lambda: client.infer("iris-mlp", [features(np.zeros((1, 4 * 262144), dtype=np.float32))]), 413),
    "system shared memory": lambda: client.get_system_shared_memory_status(),
    "CUDA shared memory": lambda: client.get_cuda_shared_memory_status(),
    "trace settings": lambda: client.get_trace_settings(),
    "log settings": lambda: client.get_log_settings(),
}
for name, check in checks.items():
    try:
        print(f"works    {name}: {check()}")
    except Exception as e:  # every failure is reported, the rest still run
        print(f"FAILS    {name}: {type(e).__name__}: {str(e)[:200]}")
