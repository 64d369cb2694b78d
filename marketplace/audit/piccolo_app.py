import os

from piccolo.conf.apps import AppConfig

from marketplace.audit.tables import AuditAnchor, AuditEvent, AuditEventDigest, AuditSeal

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[AuditEvent, AuditSeal, AuditEventDigest, AuditAnchor],
    migration_dependencies=[],
    commands=[],
)
