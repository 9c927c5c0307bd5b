"""The records the core hands to adapters: a case, its events, a person, a queued notice.

They are defined beside their SQL in storage/; adapters name them through here, so that they
never import storage/ themselves.
"""

from storage.records import CaseRecord, EventRecord, Notice, OutboxRecord, UserRecord

__all__ = ["CaseRecord", "EventRecord", "Notice", "OutboxRecord", "UserRecord"]
