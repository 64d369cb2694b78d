"""The archive's record of each document: where its bytes are and what they must hash to."""

from piccolo.columns import UUID, BigInt, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

# The owner and the uploader are accounts' rows. The archive sits below the domains and never reads
# their tables: the foreign keys are schema references, resolved by Piccolo when the tables load.
Organisation = LazyTableReference("Organisation", module_path="marketplace.accounts.tables")
User = LazyTableReference("User", module_path="marketplace.accounts.tables")


class Document(Table, tablename="archived_document"):
    """One archived document. The key never contains the user's file name."""

    id = UUID(primary_key=True)
    key = Varchar(length=200, unique=True)
    sha256 = Varchar(length=64)
    size = BigInt()
    media_type = Varchar(length=128)
    # As the uploader named it, sanitised; for display and downloads only.
    filename = Varchar(length=255)
    # Null for the platform's own documents.
    owner_organisation: ForeignKey[Table] = ForeignKey(
        Organisation, null=True, on_delete=OnDelete.restrict, index=True
    )
    # The owner's kind when uploaded (commissioner | provider), for the access rules.
    owner_kind = Varchar(length=16, null=True, default=None)
    confidentiality = Varchar(length=24)
    # The S3 object version; null in the local-folder backend.
    version_id = Varchar(length=1024, null=True, default=None)
    uploaded_by: ForeignKey[Table] = ForeignKey(User, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    retain_until = Timestamptz()
