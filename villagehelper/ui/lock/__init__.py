"""PINs and the screen lock: who is at the keyboard, the lock screen, the leader-only gate."""
