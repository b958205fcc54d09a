// `cargo leptos end-to-end` starts the server and the tests at the same time: wait until it answers.
export default async function globalSetup() {
  const url = `${process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000'}/healthz`;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the server did not answer at ${url} within 3 minutes`);
}
