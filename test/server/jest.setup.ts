// Server tests talk to a real n8n, SMTP server and browser: allow minutes, not jest's 5 s default.
jest.setTimeout(180_000);
