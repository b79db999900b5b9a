import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
page.on('pageerror', (e) => console.log('pageerror:', e.message));
const [url, prefix, ...ys] = process.argv.slice(2);
await page.goto(url!, { waitUntil: 'networkidle' });
await page.waitForTimeout(300);
for (const y of ys) { await page.screenshot({ path: `${prefix}-${y}.png`, clip: { x: 0, y: Number(y), width: 1300, height: 1000 }, fullPage: true }); }
await browser.close();
