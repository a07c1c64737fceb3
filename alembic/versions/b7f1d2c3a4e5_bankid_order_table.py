"""bankid_order: one BankID order table for signup, login and sign

- New table `bankid_order` (kivra_app/bankid_flow), one row per BankID start.
- The BankID order columns of `signup` move there. Open signups keep working: a signup with a
  started order gets a `bankid_order` row (owner "signup:<id>") with the same orderRef, tokens,
  times, status and hint, so its QR and collect continue after the upgrade. The tab that started
  it is not known (tab_hash NULL: any tab of that signup cookie may finish it, as before).
- signup.continue_tab_hash: the tab that saw BankID complete; only it gets continue tickets.
- loginticket.login_hash: a ticket issued by a BankID login is bound to the login cookie.
- websession.expired: the session ran out (idle/absolute), so the mailbox can say so calmly.

Revision ID: b7f1d2c3a4e5
Revises: ea8c79cfb3a7
Create Date: 2026-12-01 20:55:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'b7f1d2c3a4e5'
down_revision: str | None = 'ea8c79cfb3a7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = sa.DateTime(timezone=True)
_MOVED = [  # signup column -> bankid_order column
    ('bankid_order_ref', 'order_ref'), ('bankid_qr_start_token', 'qr_start_token'),
    ('bankid_qr_start_secret', 'qr_start_secret'), ('bankid_auto_start_token', 'auto_start_token'),
    ('bankid_same_device', 'same_device'), ('bankid_end_user_ip', 'end_user_ip'),
    ('bankid_user_agent', 'user_agent'), ('bankid_return_url', 'return_url'),
    ('bankid_last_collect_at', 'last_collect_at'), ('bankid_last_hint', 'hint'),
]
_SIGNUP_COLUMNS = [
    ('bankid_order_ref', _S(length=64)), ('bankid_qr_start_token', _S(length=64)),
    ('bankid_qr_start_secret', _S(length=64)), ('bankid_auto_start_token', _S(length=64)),
    ('bankid_order_started_at', _TS), ('bankid_first_order_at', _TS),
    ('bankid_same_device', sa.Boolean()), ('bankid_end_user_ip', _S(length=64)),
    ('bankid_user_agent', _S(length=512)), ('bankid_return_url', _S(length=512)),
    ('bankid_last_collect_at', _TS), ('bankid_last_status', _S(length=20)),
    ('bankid_last_hint', _S(length=40)),
]


def upgrade() -> None:
    op.create_table(
        'bankid_order',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purpose', _S(length=10), nullable=False),
        sa.Column('owner', _S(length=80), nullable=False),
        sa.Column('tab_hash', _S(length=64), nullable=True),
        sa.Column('order_ref', _S(length=64), nullable=True),
        sa.Column('qr_start_token', _S(length=64), nullable=True),
        sa.Column('qr_start_secret', _S(length=64), nullable=True),
        sa.Column('auto_start_token', _S(length=64), nullable=True),
        sa.Column('same_device', sa.Boolean(), nullable=False),
        sa.Column('end_user_ip', _S(length=64), nullable=True),
        sa.Column('user_agent', _S(length=512), nullable=True),
        sa.Column('return_url', _S(length=512), nullable=True),
        sa.Column('language', _S(length=2), nullable=False),
        sa.Column('user_visible_data', sa.Text(), nullable=True),
        sa.Column('user_non_visible_data', sa.Text(), nullable=True),
        sa.Column('first_started_at', _TS, nullable=False),
        sa.Column('started_at', _TS, nullable=False),
        sa.Column('last_collect_at', _TS, nullable=True),
        sa.Column('collect_claim_until', _TS, nullable=True),
        sa.Column('status', _S(length=10), nullable=False),
        sa.Column('hint', _S(length=40), nullable=True),
        sa.Column('error', _S(length=40), nullable=True),
        sa.Column('renewals', sa.Integer(), nullable=False),
        sa.Column('personnummer', _S(length=12), nullable=True),
        sa.Column('given_name', _S(length=200), nullable=True),
        sa.Column('surname', _S(length=200), nullable=True),
        sa.Column('name', _S(length=400), nullable=True),
        sa.Column('signature', sa.Text(), nullable=True),
        sa.Column('completed_at', _TS, nullable=True),
        sa.Column('consumed_at', _TS, nullable=True),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('updated_at', _TS, nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_bankid_order_owner', 'bankid_order', ['owner', 'created_at'],
                    unique=False)

    # Open signups with a started order: the order moves, unchanged, to bankid_order.
    old = ', '.join(f's.{src}' for src, _ in _MOVED)
    new = ', '.join(dst for _, dst in _MOVED)
    op.execute(sa.text(
        f"INSERT INTO bankid_order (purpose, owner, tab_hash, {new}, language, first_started_at, "
        "started_at, status, renewals, created_at, updated_at) "
        f"SELECT 'signup', 'signup:' || CAST(s.id AS VARCHAR(20)), NULL, {old}, s.language, "
        "COALESCE(s.bankid_first_order_at, s.bankid_order_started_at), s.bankid_order_started_at, "
        "CASE WHEN s.bankid_last_status = 'pending' THEN 'pending' ELSE 'failed' END, 0, "
        "s.bankid_order_started_at, s.updated_at "
        "FROM signup s WHERE s.bankid_order_ref IS NOT NULL "
        "AND s.bankid_order_started_at IS NOT NULL AND s.closed_at IS NULL"
    ))

    with op.batch_alter_table('signup', schema=None) as batch_op:
        for name, _ in _SIGNUP_COLUMNS:
            batch_op.drop_column(name)
        batch_op.add_column(sa.Column('continue_tab_hash', _S(length=64), nullable=True))

    with op.batch_alter_table('loginticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('login_hash', _S(length=64), nullable=True))
    with op.batch_alter_table('websession', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expired', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('websession', schema=None) as batch_op:
        batch_op.drop_column('expired')
    with op.batch_alter_table('loginticket', schema=None) as batch_op:
        batch_op.drop_column('login_hash')
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_column('continue_tab_hash')
        for name, kind in _SIGNUP_COLUMNS:
            default = sa.text('0') if name == 'bankid_same_device' else None
            batch_op.add_column(sa.Column(name, kind, nullable=name != 'bankid_same_device',
                                          server_default=default))
    # Orders of open signups go back (pending ones keep working; the rest are forgotten).
    for src, dst in _MOVED + [('bankid_order_started_at', 'started_at'),
                              ('bankid_first_order_at', 'first_started_at'),
                              ('bankid_last_status', 'status')]:
        op.execute(sa.text(
            f"UPDATE signup SET {src} = (SELECT o.{dst} FROM bankid_order o "
            "WHERE o.owner = 'signup:' || CAST(signup.id AS VARCHAR(20)) AND o.status = 'pending' "
            "ORDER BY o.id DESC LIMIT 1) WHERE signup.step = 'bankid'"
        ))
    op.execute(sa.text("UPDATE signup SET bankid_same_device = COALESCE(bankid_same_device, "
                       "false)" if op.get_bind().dialect.name == 'postgresql' else
                       "UPDATE signup SET bankid_same_device = COALESCE(bankid_same_device, 0)"))
    op.drop_index('ix_bankid_order_owner', table_name='bankid_order')
    op.drop_table('bankid_order')
