import { useState } from 'react';
import { App, Dropdown, Tag } from 'antd';
import { DownOutlined, KeyOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { redirect } from '../router';
import { authApi } from './api';
import { ChangePasswordModal } from './ChangePasswordModal';
import { useAuth } from './store';
import { useErrorText } from './use-error-text';

/** The top bar's user menu: who is signed in and their role; change password; sign out. */
export function UserMenu() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const user = useAuth((s) => s.user);
  const [changing, setChanging] = useState(false);
  if (!user) return null;

  const signOut = async () => {
    try {
      await authApi.logout();
    } catch (e) {
      // The session may be gone already (expired, disabled): signing out here still ends it for this page.
      if (!(e instanceof ApiError && e.status === 401)) return void message.error(errorText(e));
    }
    useAuth.getState().signedOut();
    redirect({ page: 'signIn' });
    message.success(t('auth.signedOut'));
  };

  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{
          items: [
            { key: 'password', icon: <KeyOutlined />, label: <span data-testid="menu-change-password">{t('auth.changePassword')}</span> },
            { type: 'divider' },
            { key: 'sign-out', icon: <LogoutOutlined />, label: <span data-testid="menu-sign-out">{t('auth.signOut')}</span> },
          ],
          onClick: ({ key }) => (key === 'password' ? setChanging(true) : void signOut()),
        }}
      >
        <span className="mf-user-name" data-testid="user-menu" data-role={user.role}>
          <UserOutlined /> <span data-testid="user-name">{user.display_name || user.name}</span>{' '}
          <Tag color="blue" style={{ marginInlineEnd: 0 }} data-testid="user-role">{t(`roles.${user.role}`)}</Tag> <DownOutlined style={{ fontSize: 10 }} />
        </span>
      </Dropdown>
      <ChangePasswordModal open={changing} onClose={() => setChanging(false)} />
    </>
  );
}
