"""Where alerts go besides the journal: a JSON webhook, Slack, and e-mail.

Each sink is configured only by environment variables, read when `configured_sinks`
is called, so a test or an operator can change them without restarting anything.
A sink sends one alert per call; retries and reporting live in `dispatch`.
"""

from __future__ import annotations

import http.client
import json
import os
import smtplib
import ssl
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlsplit

from cx_pipeline.alerts.deadline import Deadline
from cx_pipeline.alerts.model import Alert, format_alert_line, headline, jsonable, observed_text

USER_AGENT = "cx-warehouse-alerts/1"
SUBJECT_PREFIX = "[cx-warehouse]"

# Slack rejects a section text over 3000 characters and a field over 2000.
_SLACK_FIELD_LIMIT = 1900


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would follow a redirect of a POST as a body-less GET and call it delivered.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _deadline_connection(base: type, deadline: Deadline) -> type:
    class Connection(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            create = self._create_connection
            self._create_connection = lambda *a, **k: deadline.watch(create(*a, **k))

        def connect(self):
            super().connect()
            # https: the socket watched above now belongs to the TLS wrapper.
            deadline.watch(self.sock)

    return Connection


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._connection = _deadline_connection(http.client.HTTPConnection, deadline)

    def http_open(self, req):
        return self.do_open(self._connection, req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._connection = _deadline_connection(http.client.HTTPSConnection, deadline)

    def https_open(self, req):
        return self.do_open(self._connection, req, context=self._context)


def post_json(url: str, payload: Any, deadline: Deadline) -> None:
    body = json.dumps(jsonable(payload), ensure_ascii=False, allow_nan=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
    )
    # Built per call: the proxy settings (https_proxy, no_proxy) are read from the
    # environment when an opener is built, and settings here are read at call time.
    opener = urllib.request.build_opener(
        _RefuseRedirects, _DeadlineHTTPHandler(deadline), _DeadlineHTTPSHandler(deadline)
    )
    with opener.open(request, timeout=deadline.timeout()) as response:
        response.read(65536)
        if response.status >= 400:  # urllib raises for these already; this is belt and braces
            raise HTTPError(url, response.status, response.reason, response.headers, None)


def _http_url_error(variable: str, url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"{variable} must be an http:// or https:// URL"
    return None


@dataclass
class Sink:
    name: str
    # Sends one alert; every blocking step is bounded by the deadline's timeout().
    send: Callable[[Alert, Deadline], None]
    # Set when the environment asks for this sink but cannot be used as given.
    config_error: str | None = None


# --- JSON webhook -------------------------------------------------------------------


def webhook_payload(alert: Alert) -> dict[str, Any]:
    return alert.to_dict()


def _webhook_sink(url: str) -> Sink:
    return Sink(
        name="webhook",
        send=lambda alert, deadline: post_json(url, webhook_payload(alert), deadline),
        config_error=_http_url_error("CX_ALERT_WEBHOOK_URL", url),
    )


# --- Slack --------------------------------------------------------------------------


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_field(label: str, value: str) -> dict[str, str]:
    value = _slack_escape(value or "-")
    if len(value) > _SLACK_FIELD_LIMIT:
        value = value[: _SLACK_FIELD_LIMIT - 1] + "…"
    return {"type": "mrkdwn", "text": f"*{label}*\n{value}"}


def slack_payload(alert: Alert) -> dict[str, Any]:
    """Slack incoming-webhook body: `text` is the notification, `blocks` the message."""
    icon = ":red_circle:" if alert.severity == "ERROR" else ":warning:"
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"{icon} *{_slack_escape(headline(alert))}*"},
        },
        {
            "type": "section",
            "fields": [
                _slack_field("Asset", alert.asset),
                _slack_field("Partition", alert.partition),
                _slack_field("Check", alert.check),
                _slack_field("Severity", alert.severity),
                _slack_field("Observed value", observed_text(alert, _SLACK_FIELD_LIMIT)),
                _slack_field("Run", alert.run_id),
            ],
        },
    ]
    if alert.message:
        message = _slack_escape(alert.message)[:2900]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": message}})
    url = alert.run_url()
    if url:
        link = f"<{url}|Open run {_slack_escape(alert.run_id)} in Dagster>"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": link}})
    return {"text": _slack_escape(format_alert_line(alert)), "blocks": blocks}


def _slack_sink(url: str) -> Sink:
    return Sink(
        name="slack",
        send=lambda alert, deadline: post_json(url, slack_payload(alert), deadline),
        config_error=_http_url_error("CX_ALERT_SLACK_WEBHOOK_URL", url),
    )


# --- E-mail -------------------------------------------------------------------------


def email_subject(alert: Alert) -> str:
    return f"{SUBJECT_PREFIX} {headline(alert)}"


def email_body(alert: Alert) -> str:
    url = alert.run_url()
    observed = json.dumps(jsonable(alert.observed_value), ensure_ascii=False, indent=2)
    weight = "blocking" if alert.severity == "ERROR" else "warning"
    rows = [
        ("Kind", alert.kind),
        ("Asset", alert.asset or "-"),
        ("Partition", alert.partition or "-"),
        ("Check", alert.check or "-"),
        ("Severity", f"{alert.severity} ({weight})"),
        ("Observed value", observed.replace("\n", "\n" + " " * 18)),
        ("Run", alert.run_id or "-"),
        ("Run link", url or "- (set CX_DAGSTER_UI_URL to get a link)"),
        ("Message", alert.message or "-"),
        ("Created at", alert.created_at),
    ]
    lines = [headline(alert), ""]
    lines += [f"{label + ':':<18}{value}" for label, value in rows]
    lines += ["", "Every alert is also recorded in alerts/alerts.jsonl under CX_DATA_DIR."]
    return "\n".join(lines) + "\n"


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _flag(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    # Guessing here could mean sending a password in clear text; refuse instead.
    raise ValueError(f"{name} must be true or false, got {raw!r}")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None
    password: str | None
    starttls: bool
    use_ssl: bool

    @classmethod
    def from_env(cls) -> SmtpSettings:
        port_text = os.environ.get("CX_ALERT_SMTP_PORT", "").strip() or "25"
        try:
            port = int(port_text)
        except ValueError:
            raise ValueError(f"CX_ALERT_SMTP_PORT must be a number, got {port_text!r}") from None
        recipients = tuple(
            address.strip()
            for address in os.environ.get("CX_ALERT_SMTP_TO", "").split(",")
            if address.strip()
        )
        if not recipients:
            raise ValueError("CX_ALERT_SMTP_HOST is set but CX_ALERT_SMTP_TO is empty")
        return cls(
            host=os.environ["CX_ALERT_SMTP_HOST"].strip(),
            port=port,
            sender=os.environ.get("CX_ALERT_SMTP_FROM", "").strip() or "cx-warehouse@localhost",
            recipients=recipients,
            user=os.environ.get("CX_ALERT_SMTP_USER") or None,
            password=os.environ.get("CX_ALERT_SMTP_PASSWORD") or None,
            starttls=_flag("CX_ALERT_SMTP_STARTTLS"),
            use_ssl=_flag("CX_ALERT_SMTP_SSL"),
        )


def email_message(alert: Alert, smtp: SmtpSettings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = email_subject(alert)
    message["From"] = smtp.sender
    message["To"] = ", ".join(smtp.recipients)
    message["Date"] = formatdate(usegmt=True)
    # An explicit domain: the default asks DNS for our FQDN, which can hang.
    message["Message-ID"] = make_msgid(domain="cx-warehouse.local")
    message.set_content(email_body(alert))
    return message


class _DeadlineSMTP(smtplib.SMTP):
    def __init__(self, deadline: Deadline, *args, **kwargs):
        self._deadline = deadline
        super().__init__(*args, **kwargs)

    def _get_socket(self, host, port, timeout):
        return self._deadline.watch(super()._get_socket(host, port, timeout))


class _DeadlineSMTP_SSL(smtplib.SMTP_SSL):  # noqa: N801 (smtplib's naming)
    def __init__(self, deadline: Deadline, *args, **kwargs):
        self._deadline = deadline
        super().__init__(*args, **kwargs)

    def _get_socket(self, host, port, timeout):
        return self._deadline.watch(super()._get_socket(host, port, timeout))


def send_email(alert: Alert, smtp: SmtpSettings, deadline: Deadline) -> None:
    message = email_message(alert, smtp)
    context = ssl.create_default_context()
    timeout = deadline.timeout()
    if smtp.use_ssl:
        client: smtplib.SMTP = _DeadlineSMTP_SSL(
            deadline, smtp.host, smtp.port, timeout=timeout, context=context
        )
    else:
        client = _DeadlineSMTP(deadline, smtp.host, smtp.port, timeout=timeout)
    with client:
        if smtp.starttls and not smtp.use_ssl:
            client.starttls(context=context)
            deadline.watch(client.sock)
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
        client.send_message(message, from_addr=smtp.sender, to_addrs=list(smtp.recipients))


def _email_sink() -> Sink:
    try:
        smtp = SmtpSettings.from_env()
    except ValueError as error:
        return Sink(name="email", send=lambda alert, deadline: None, config_error=str(error))
    return Sink(name="email", send=lambda alert, deadline: send_email(alert, smtp, deadline))


def configured_sinks() -> list[Sink]:
    """The sinks the environment asks for, in a fixed order (webhook, slack, email)."""
    sinks: list[Sink] = []
    if url := os.environ.get("CX_ALERT_WEBHOOK_URL", "").strip():
        sinks.append(_webhook_sink(url))
    if url := os.environ.get("CX_ALERT_SLACK_WEBHOOK_URL", "").strip():
        sinks.append(_slack_sink(url))
    if os.environ.get("CX_ALERT_SMTP_HOST", "").strip():
        sinks.append(_email_sink())
    return sinks
