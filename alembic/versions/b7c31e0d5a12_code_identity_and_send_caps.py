"""verificationcode.identity_hash: the send cooldown and cap count per (destination, identity)

Issue #12 finding 6: one BankID-verified person could use up another's email or phone (cooldown
and 5 sends per window were per destination, shared by everyone). The column records who asked
for each code; rows from before have none and count only towards the per-destination ceiling.

Revision ID: b7c31e0d5a12
Revises: ce730ca254f0
Create Date: 2026-12-01 20:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'b7c31e0d5a12'
down_revision: str | None = 'ce730ca254f0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('verificationcode', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_hash', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=True))
        batch_op.create_index('ix_verificationcode_destination_identity_sent',
                              ['channel', 'destination', 'identity_hash', 'sent_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('verificationcode', schema=None) as batch_op:
        batch_op.drop_index('ix_verificationcode_destination_identity_sent')
        batch_op.drop_column('identity_hash')
