"""Amazon SES as a Django e-mail backend (``EMAIL_BACKEND =
"cms.mailing.backends.SesBackend"``): sends the raw MIME bytes (DKIM-signed when a
key is configured, else SES's Easy DKIM signs) through the SES v2 API with boto3.

SES errors are reported as smtplib errors so the send loop treats both backends the
same: a rejected message fails that recipient, anything else pauses the campaign
and is retried."""

import smtplib

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class SesBackend(BaseEmailBackend):
    def __init__(self, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently)
        self.client = None

    def open(self):
        if self.client is not None:
            return False
        import boto3

        self.client = boto3.client(
            "sesv2",
            region_name=getattr(settings, "AWS_SES_REGION", "ap-northeast-1"),
            endpoint_url=getattr(settings, "AWS_SES_ENDPOINT_URL", None),
        )
        return True

    def close(self):
        self.client = None

    def send_messages(self, email_messages):
        from botocore.exceptions import BotoCoreError, ClientError

        if not email_messages:
            return 0
        self.open()
        sent = 0
        for message in email_messages:
            recipients = message.recipients()
            if not recipients:
                continue
            raw = message.message().as_bytes(linesep="\r\n")
            options = {}
            configuration_set = getattr(settings, "AWS_SES_CONFIGURATION_SET", "")
            if configuration_set:
                options["ConfigurationSetName"] = configuration_set
            try:
                self.client.send_email(
                    FromEmailAddress=message.from_email,
                    Destination={"ToAddresses": recipients},
                    Content={"Raw": {"Data": raw}},
                    **options,
                )
            except ClientError as error:
                if self.fail_silently:
                    continue
                code = error.response.get("Error", {}).get("Code", "")
                text = str(error)
                if code == "MessageRejected":
                    raise smtplib.SMTPRecipientsRefused(
                        {r: (554, text.encode()) for r in recipients}
                    ) from error
                raise smtplib.SMTPException(text) from error
            except BotoCoreError as error:
                if self.fail_silently:
                    continue
                raise smtplib.SMTPException(str(error)) from error
            sent += 1
        return sent
