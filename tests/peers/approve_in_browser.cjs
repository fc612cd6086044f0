// Opens airlock's approvals page in headless Chromium (playwright-core), waits for the held call to
// appear live, and clicks its Approve button like a person would. Exits non-zero on any failure.
// Usage: node approve_in_browser.cjs ADMIN_URL TOKEN TOOL [SCREENSHOT.png]
const { chromium } = require('playwright-core');

(async () => {
  const [url, token, tool, shot] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.AIRLOCK_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/?token=${encodeURIComponent(token)}`);
    const card = page.locator('.card', { hasText: tool });
    await card.waitFor({ timeout: 20000 });
    if (shot) await page.screenshot({ path: shot, fullPage: true });
    await card.getByRole('button', { name: 'Approve', exact: true }).click();
    await card.waitFor({ state: 'detached', timeout: 20000 });
    await page.getByText('Nothing is waiting.').waitFor({ timeout: 20000 });
    console.log('approved');
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
