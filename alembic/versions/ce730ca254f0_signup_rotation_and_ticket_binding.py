"""signup secret rotation after BankID, closing, BankID start cap; login ticket bound to its signup

- signup.continue_ticket_hash / continue_ticket_expires_at / secret_rotated_at: the one-time
  continue ticket issued at BankID completion and the rotation it unlocks (R-24).
- signup.closed_at: set when the login ticket is issued (one ticket per signup).
- signup.bankid_start_count / bankid_start_window_at: at most N BankID order starts per window.
- loginticket.signup_id: the claim must present the issuing signup's cookie (login CSRF).

Signups that were past BankID when this runs have no secret_rotated_at: they go through the
continue ticket once, like new ones. Existing login tickets (60 s) have no signup and are refused.

Revision ID: ce730ca254f0
Revises: 74115775bc24
Create Date: 2026-11-25 11:39:01.697129
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'ce730ca254f0'
down_revision: str | None = '74115775bc24'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('loginticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signup_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_loginticket_signup_id_signup', 'signup',
                                    ['signup_id'], ['id'])

    with op.batch_alter_table('signup', schema=None) as batch_op:
        # server_default: existing rows get 0 (NOT NULL); the app always writes the value.
        batch_op.add_column(sa.Column('bankid_start_count', sa.Integer(), nullable=False,
                                      server_default=sa.text('0')))
        batch_op.add_column(sa.Column('bankid_start_window_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('continue_ticket_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('continue_ticket_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('secret_rotated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('secret_rotated_at')
        batch_op.drop_column('continue_ticket_expires_at')
        batch_op.drop_column('continue_ticket_hash')
        batch_op.drop_column('bankid_start_window_at')
        batch_op.drop_column('bankid_start_count')

    with op.batch_alter_table('loginticket', schema=None) as batch_op:
        batch_op.drop_constraint('fk_loginticket_signup_id_signup', type_='foreignkey')
        batch_op.drop_column('signup_id')
