"""Settings for the fault-injection suite's worker and driver processes:
development settings, with every outgoing message going to JSON-lines
sinks in the suite's directory (keyed by delivery id)."""

import os

from config.settings.development import *  # noqa: F403

FAULTS_DIR = os.environ["FAULTS_DIR"]
DEBUG = False
EMAIL_BACKEND = "tests.faults.backends.JsonLinesEmailBackend"
EMAIL_FILE_PATH = os.path.join(FAULTS_DIR, "mail.jsonl")
SMS_BACKEND = "tests.faults.backends.SlowFileBackend"
SMS_FILE_PATH = os.path.join(FAULTS_DIR, "sms.jsonl")
TELEGRAM_BACKEND = "notifications.channels.telegram.FileBackend"
TELEGRAM_FILE_PATH = os.path.join(FAULTS_DIR, "telegram.jsonl")
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
LOGGING["loggers"]["notifications"] = {"level": "INFO"}  # noqa: F405
