"""An OTLP/HTTP receiver built from the official OpenTelemetry protobuf
definitions (PyPI `opentelemetry-proto`): it decodes what the gateway exports
to `/v1/traces` and `/v1/metrics` exactly as a collector would, and keeps
the spans and metric data points for the tests to read."""

import gzip
import threading
import time

from google.protobuf import json_format
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from support.loopback import LoopbackServer, answer

import http.server


def _value(any_value):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


def _attributes(key_values) -> dict:
    return {kv.key: _value(kv.value) for kv in key_values}


class Span:
    """One received span, with ids as lowercase hex as in `traceparent`."""

    def __init__(self, span, resource: dict):
        self.name = span.name
        self.trace_id = span.trace_id.hex()
        self.span_id = span.span_id.hex()
        self.parent_span_id = span.parent_span_id.hex()
        self.kind = span.kind
        self.attributes = _attributes(span.attributes)
        self.status_code = span.status.code
        self.resource = resource
        self.duration_ns = span.end_time_unix_nano - span.start_time_unix_nano

    def __repr__(self):
        return f"Span({self.name!r}, kind={self.kind}, {self.attributes})"


class OTLPReceiver(LoopbackServer):
    """Listens on 127.0.0.1 (port 0 picks a free one); `url` is what
    OTEL_EXPORTER_OTLP_ENDPOINT takes."""

    def __init__(self, port: int = 0):
        self.spans = []
        self.metric_points = []  # (metric name, attributes, value)
        self.requests = []  # (path, content type)
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def wait_for_spans(self, predicate, timeout: float = 20.0) -> list:
        """Polls until `predicate(spans)` holds; the spans then."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                spans = list(self.spans)
            if predicate(spans):
                return spans
            time.sleep(0.1)
        raise AssertionError(f"spans never matched; received {spans}")

    def wait_for_metric(self, name: str, attributes: dict, timeout: float = 20.0):
        """The latest value of a data point whose attributes include
        `attributes`, once one has arrived."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                found = [value for (metric, attrs, value) in self.metric_points
                         if metric == name and attributes.items() <= attrs.items()]
            if found:
                return found[-1]
            time.sleep(0.1)
        raise AssertionError(f"no {name} {attributes}; received {sorted({m for (m, _, _) in self.metric_points})}")


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        content_type = self.headers.get("Content-Type", "")
        receiver: OTLPReceiver = self.server
        with receiver.lock:
            receiver.requests.append((self.path, content_type))
        if self.path == "/v1/traces":
            request = self._decode(trace_service_pb2.ExportTraceServiceRequest(), body, content_type)
            spans = [Span(span, _attributes(rs.resource.attributes))
                     for rs in request.resource_spans for ss in rs.scope_spans for span in ss.spans]
            with receiver.lock:
                receiver.spans.extend(spans)
            reply = trace_service_pb2.ExportTraceServiceResponse()
        elif self.path == "/v1/metrics":
            request = self._decode(metrics_service_pb2.ExportMetricsServiceRequest(), body, content_type)
            points = []
            for rm in request.resource_metrics:
                for sm in rm.scope_metrics:
                    for metric in sm.metrics:
                        kind = metric.WhichOneof("data")
                        for point in getattr(metric, kind).data_points:
                            if kind in ("sum", "gauge"):
                                value = point.as_int if point.WhichOneof("value") == "as_int" else point.as_double
                            else:
                                value = point.count
                            points.append((metric.name, _attributes(point.attributes), value))
            with receiver.lock:
                receiver.metric_points.extend(points)
            reply = metrics_service_pb2.ExportMetricsServiceResponse()
        else:
            answer(self, 404, "text/plain", b"not an OTLP path")
            return
        answer(self, 200, "application/x-protobuf", reply.SerializeToString())

    @staticmethod
    def _decode(message, body: bytes, content_type: str):
        if content_type.startswith("application/json"):
            return json_format.Parse(body, message)
        message.ParseFromString(body)
        return message
