"""Where alerts go besides the journal: a JSON webhook, Slack, Teams, and e-mail.

Each sink is configured only by environment variables, taken from the settings that
`configured_sinks` is given (by default the environment as it is at the call), so a test or
an operator can change them without restarting anything.
The webhook is for machines and gets one POST per alert, as soon as the check fails;
the others are read by people and get one digest per run (see digest.py). Retries and
reporting live in `dispatch`.
"""

from __future__ import annotations

import http.client
import json
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
from cx_pipeline.alerts.digest import Digest, entry_summary, entry_title, text_body
from cx_pipeline.alerts.model import Alert, jsonable
from cx_pipeline.settings import Settings, current

USER_AGENT = "cx-warehouse-alerts/1"
SUBJECT_PREFIX = "[cx-warehouse]"

# Slack rejects a section text over 3000 characters and a message over 50 blocks.
_SLACK_SECTION_LIMIT = 2900
_SLACK_BLOCK_LIMIT = 50


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
    # Sends one alert (or, for a digest sink, one Digest); every blocking step is bounded
    # by the deadline's timeout().
    send: Callable[[Any, Deadline], None]
    # Set when the environment asks for this sink but cannot be used as given.
    config_error: str | None = None
    # People read it: it gets one Digest per run instead of one message per alert.
    digest: bool = False


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


def _slack_section(text: str) -> dict[str, Any]:
    if len(text) > _SLACK_SECTION_LIMIT:
        text = text[: _SLACK_SECTION_LIMIT - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def slack_payload(digest: Digest) -> dict[str, Any]:
    """Slack incoming-webhook body: `text` is the notification, `blocks` the message."""
    icon = (
        ":red_circle:"
        if digest.blocking
        else (":warning:" if digest.failed else ":white_check_mark:")
    )
    blocks: list[dict[str, Any]] = [_slack_section(f"{icon} *{_slack_escape(digest.title())}*")]
    for heading, alerts in digest.groups():
        blocks.append(_slack_section(f"*{_slack_escape(heading)}*"))
        for alert in alerts:
            text = f"• *{_slack_escape(entry_title(alert))}*\n{_slack_escape(entry_summary(alert))}"
            if alert.next_step and not alert.recovered:
                text += f"\nShow the rest: `{_slack_escape(alert.next_step)}`"
            blocks.append(_slack_section(text))
    if digest.not_listed:
        blocks.append(_slack_section(f"… and {digest.not_listed} more: see alerts/alerts.jsonl"))
    url = digest.run_url()
    if url:
        blocks.append(_slack_section(f"<{url}|Open run {_slack_escape(digest.run_id)} in Dagster>"))
    return {"text": _slack_escape(digest.title()), "blocks": blocks[:_SLACK_BLOCK_LIMIT]}


def _slack_sink(url: str) -> Sink:
    return Sink(
        name="slack",
        send=lambda digest, deadline: post_json(url, slack_payload(digest), deadline),
        config_error=_http_url_error("CX_ALERT_SLACK_WEBHOOK_URL", url),
        digest=True,
    )


# --- Microsoft Teams ----------------------------------------------------------------


def _text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def teams_payload(digest: Digest) -> dict[str, Any]:
    """A Teams workflow ("post to a channel when a webhook request is received") takes a
    message whose attachment is an Adaptive Card."""
    body: list[dict[str, Any]] = [
        _text_block(
            digest.title(),
            size="Medium",
            weight="Bolder",
            color="Attention" if digest.blocking else ("Warning" if digest.failed else "Good"),
        )
    ]
    for heading, alerts in digest.groups():
        body.append(_text_block(heading, weight="Bolder", spacing="Medium"))
        for alert in alerts:
            body.append(_text_block(entry_title(alert), weight="Bolder", spacing="Small"))
            body.append(_text_block(entry_summary(alert), spacing="None"))
            if alert.next_step and not alert.recovered:
                body.append(
                    _text_block(
                        f"Show the rest: {alert.next_step}",
                        fontType="Monospace",
                        isSubtle=True,
                        spacing="None",
                    )
                )
    if digest.not_listed:
        body.append(_text_block(f"… and {digest.not_listed} more: see alerts/alerts.jsonl"))
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    url = digest.run_url()
    if url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open run in Dagster", "url": url}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def _teams_sink(url: str) -> Sink:
    return Sink(
        name="teams",
        send=lambda digest, deadline: post_json(url, teams_payload(digest), deadline),
        config_error=_http_url_error("CX_ALERT_TEAMS_WEBHOOK_URL", url),
        digest=True,
    )


# --- E-mail -------------------------------------------------------------------------


def email_subject(digest: Digest) -> str:
    return f"{SUBJECT_PREFIX} {digest.title()}"


def email_body(digest: Digest) -> str:
    return text_body(digest)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _flag(settings: Settings, name: str) -> bool:
    raw = (settings.value(name) or "").strip().lower()
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
    def from_env(cls, settings: Settings | None = None) -> SmtpSettings:
        settings = settings or current()
        port_text = settings.value("CX_ALERT_SMTP_PORT")
        try:
            port = int(port_text)
        except ValueError:
            raise ValueError(f"CX_ALERT_SMTP_PORT must be a number, got {port_text!r}") from None
        recipients = tuple(
            address.strip()
            for address in (settings.value("CX_ALERT_SMTP_TO") or "").split(",")
            if address.strip()
        )
        if not recipients:
            raise ValueError("CX_ALERT_SMTP_HOST is set but CX_ALERT_SMTP_TO is empty")
        return cls(
            host=settings.value("CX_ALERT_SMTP_HOST"),
            port=port,
            sender=settings.value("CX_ALERT_SMTP_FROM"),
            recipients=recipients,
            user=settings.value("CX_ALERT_SMTP_USER"),
            password=settings.value("CX_ALERT_SMTP_PASSWORD"),
            starttls=_flag(settings, "CX_ALERT_SMTP_STARTTLS"),
            use_ssl=_flag(settings, "CX_ALERT_SMTP_SSL"),
        )


def email_message(digest: Digest, smtp: SmtpSettings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = email_subject(digest)
    message["From"] = smtp.sender
    message["To"] = ", ".join(smtp.recipients)
    message["Date"] = formatdate(usegmt=True)
    # An explicit domain: the default asks DNS for our FQDN, which can hang.
    message["Message-ID"] = make_msgid(domain="cx-warehouse.local")
    message.set_content(email_body(digest))
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


def send_email(digest: Digest, smtp: SmtpSettings, deadline: Deadline) -> None:
    message = email_message(digest, smtp)
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


def _email_sink(settings: Settings) -> Sink:
    try:
        smtp = SmtpSettings.from_env(settings)
    except ValueError as error:
        return Sink(
            name="email", send=lambda digest, deadline: None, config_error=str(error), digest=True
        )
    return Sink(
        name="email", send=lambda digest, deadline: send_email(digest, smtp, deadline), digest=True
    )


def configured_sinks(settings: Settings | None = None) -> list[Sink]:
    """The sinks the settings ask for, in a fixed order (webhook, slack, teams, email)."""
    settings = settings or current()
    sinks: list[Sink] = []
    if url := settings.value("CX_ALERT_WEBHOOK_URL"):
        sinks.append(_webhook_sink(url))
    if url := settings.value("CX_ALERT_SLACK_WEBHOOK_URL"):
        sinks.append(_slack_sink(url))
    if url := settings.value("CX_ALERT_TEAMS_WEBHOOK_URL"):
        sinks.append(_teams_sink(url))
    if settings.value("CX_ALERT_SMTP_HOST"):
        sinks.append(_email_sink(settings))
    return sinks
