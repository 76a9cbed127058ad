import { useCallback, useEffect, useState } from 'react';
import { App, Button, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined, TeamOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Role } from '@shared/permissions';
import type { UpdateUserBody } from '@shared/users';
import { usersApi, type User } from '../auth/api';
import { useAuth, useCan } from '../auth/store';
import { useErrorText } from '../auth/use-error-text';
import { AddUserModal } from '../users/AddUserModal';
import { OneTimePasswordModal } from '../users/OneTimePasswordModal';
import { RoleSelect } from '../users/RoleSelect';

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '';
}

/** Admin page of the accounts: list, add (one-time password shown once), change role, disable / enable, reset password. */
export default function UsersPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const me = useAuth((s) => s.user?.id);
  const canWrite = useCan('users:write');
  const [users, setUsers] = useState<User[] | null>(null);
  const [adding, setAdding] = useState(false);
  const [shown, setShown] = useState<{ name: string; password: string } | null>(null);

  const load = useCallback(() => {
    usersApi.list().then(setUsers, (e: unknown) => {
      message.error(errorText(e));
      setUsers([]);
    });
  }, [message, errorText]);
  useEffect(load, [load]);

  /** Applies a change; a change to oneself (a role) is read back into the auth state so the UI follows it. */
  const update = async (user: User, body: UpdateUserBody, done: string) => {
    try {
      await usersApi.update(user.id, body);
      message.success(done);
      if (user.id === me) await useAuth.getState().load();
    } catch (e) {
      message.error(errorText(e));
    }
    load();
  };

  const reset = async (user: User) => {
    try {
      const reply = await usersApi.resetPassword(user.id);
      setShown({ name: user.name, password: reply.password });
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div style={{ padding: 24, maxWidth: 1200, margin: '0 auto' }} data-testid="users-page">
      <div style={{ display: 'flex', alignItems: 'center', marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0, flex: 1 }} data-testid="users-title">
          <TeamOutlined /> {t('users.title')}
        </Typography.Title>
        {canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="user-add">{t('users.add')}</Button>
        )}
      </div>
      <Typography.Paragraph type="secondary">{t('users.intro')}</Typography.Paragraph>
      <Table<User>
        rowKey="id"
        loading={users === null}
        dataSource={users ?? []}
        pagination={false}
        data-testid="users-table"
        locale={{ emptyText: t('users.empty') }}
        rowClassName={(u) => (u.disabled ? 'mf-row-revoked' : '')}
        columns={[
          {
            title: t('users.name'),
            dataIndex: 'name',
            render: (_, u) => (
              <Space size={4}>
                <strong>{u.name}</strong>
                {u.id === me && <Tag color="blue">{t('users.you')}</Tag>}
                {u.sso && <Tag>{t('users.sso')}</Tag>}
              </Space>
            ),
          },
          { title: t('users.displayName'), dataIndex: 'display_name' },
          {
            title: t('users.role'),
            dataIndex: 'role',
            render: (_, u) =>
              canWrite ? (
                <RoleSelect size="small" value={u.role} testId={`user-role-${u.name}`} onChange={(role: Role) => void update(u, { role }, t('users.roleChanged', { name: u.name, role: t(`roles.${role}`) }))} />
              ) : (
                t(`roles.${u.role}`)
              ),
          },
          {
            title: t('users.status'),
            dataIndex: 'disabled',
            render: (_, u) => (u.disabled ? <Tag color="red" data-testid="user-status">{t('users.disabledTag')}</Tag> : <Tag color="green" data-testid="user-status">{t('users.active')}</Tag>),
          },
          { title: t('users.created'), dataIndex: 'created_at', render: (_, u) => when(u.created_at) },
          { title: t('users.lastLogin'), dataIndex: 'last_login_at', render: (_, u) => when(u.last_login_at) || <Typography.Text type="secondary">{t('users.never')}</Typography.Text> },
          ...(canWrite
            ? [
                {
                  title: '',
                  width: 200,
                  // One's own account: the password is changed from the user menu, and disabling it would lock oneself out.
                  render: (_: unknown, u: User) => u.id === me ? null : (
                    <Space size={4}>
                      {!u.sso && (
                        <Popconfirm title={t('users.resetConfirm', { name: u.name })} description={t('users.resetHint')} onConfirm={() => void reset(u)} okText={t('users.reset')} cancelText={t('auth.cancel')} okButtonProps={{ danger: true }}>
                          <Button size="small" data-testid={`user-reset-${u.name}`}>{t('users.reset')}</Button>
                        </Popconfirm>
                      )}
                      {u.disabled ? (
                        <Button size="small" onClick={() => void update(u, { disabled: false }, t('users.enabled', { name: u.name }))} data-testid={`user-enable-${u.name}`}>{t('users.enable')}</Button>
                      ) : (
                        <Popconfirm title={t('users.disableConfirm', { name: u.name })} description={t('users.disableHint')} onConfirm={() => void update(u, { disabled: true }, t('users.disabled', { name: u.name }))} okText={t('users.disable')} cancelText={t('auth.cancel')} okButtonProps={{ danger: true }}>
                          <Button size="small" danger data-testid={`user-disable-${u.name}`}>{t('users.disable')}</Button>
                        </Popconfirm>
                      )}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <AddUserModal
        open={adding}
        onClose={() => setAdding(false)}
        onCreated={(created) => {
          setAdding(false);
          message.success(t('users.added', { name: created.user.name }));
          setShown({ name: created.user.name, password: created.password });
          load();
        }}
      />
      <OneTimePasswordModal shown={shown} onClose={() => setShown(null)} />
    </div>
  );
}
