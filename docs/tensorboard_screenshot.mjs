// The picture of TensorBoard in README: a real TensorBoard's chart of every run's test accuracy,
// taken in headless Chromium through its DevTools protocol (Node 20+, no packages).
//
//   tensorboard --logdir /tmp/mnist_runs --port 6006 &
//   node --experimental-websocket docs/tensorboard_screenshot.mjs http://localhost:6006 docs/tensorboard.png
//
// It opens the Time Series dashboard filtered to the accuracy/test tag, without smoothing, closes
// the settings pane, shows the chart at full width (its table of runs below it), gives the runs the
// colors of benchmarks/run_steps.py's progression figure (matplotlib's tab10, in the runs' order:
// TensorBoard's own palette repeats after 8), and saves the page down to the chart's card.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [server = "http://localhost:6006", output = "docs/tensorboard.png"] = process.argv.slice(2);
const page = `${server}/?tagFilter=accuracy%2Ftest&smoothing=0#timeseries`;
const [width, height] = [1400, 1000];
const TAB10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
  "#bcbd22", "#17becf"];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const profile = mkdtempSync(join(tmpdir(), "chromium-")); // a new, empty profile each time
const browser = spawn(
  "/usr/bin/chromium",
  [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank",
  ],
  { stdio: "ignore" },
);
try {
  let port; // Chromium writes the port it chose into the profile
  for (let i = 0; i < 200 && !port; i++) {
    await sleep(100);
    const file = join(profile, "DevToolsActivePort");
    if (existsSync(file)) port = readFileSync(file, "utf8").split("\n")[0];
  }
  if (!port) throw new Error("Chromium did not start");
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const socket = new WebSocket(targets.find((t) => t.type === "page").webSocketDebuggerUrl);
  await new Promise((resolve) => socket.addEventListener("open", resolve));
  let lastId = 0;
  const replies = new Map();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    replies.get(message.id)?.(message);
  });
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      replies.set(++lastId, resolve);
      socket.send(JSON.stringify({ id: lastId, method, params }));
    });
  const click = async (label) => {
    // a real mouse click at the button's centre, as a person would
    const { result } = await send("Runtime.evaluate", {
      expression: `(button => button && [button.getBoundingClientRect()].map(r =>
        [r.x + r.width / 2, r.y + r.height / 2])[0])(
        document.querySelector('button[aria-label="${label}"]'))`,
      returnByValue: true,
    });
    const at = result.result.value;
    if (!at) throw new Error(`TensorBoard's page has no "${label}" button`);
    for (const type of ["mousePressed", "mouseReleased"]) {
      await send("Input.dispatchMouseEvent", { type, x: at[0], y: at[1], button: "left", clickCount: 1 });
    }
  };

  await send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false });
  await send("Page.navigate", { url: page });
  await sleep(10000); // the dashboard loads the runs, then draws the chart
  for (const label of ["Close side pane", "Toggle full size mode"]) {
    await click(label);
    await sleep(1500);
  }
  const recolor = await send("Runtime.evaluate", {
    // each run's color swatch opens a color picker: its hex field takes the new color on Enter
    expression: `(async (colors) => {
      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      const swatches = document.querySelectorAll(".run-color-swatch");
      for (let k = 0; k < swatches.length; k++) {
        swatches[k].click();
        await sleep(400);
        const hex = [...document.querySelectorAll("div.color-picker.open input")]
          .find((input) => input.type === "text");
        hex.value = colors[k % colors.length];
        hex.dispatchEvent(new Event("input", { bubbles: true }));
        for (const type of ["keydown", "keyup"]) {
          hex.dispatchEvent(new KeyboardEvent(type, { key: "Enter", bubbles: true }));
        }
        await sleep(300);
        document.dispatchEvent(new KeyboardEvent("keyup", { key: "Escape", bubbles: true }));
        await sleep(300);
      }
      return swatches.length;
    })(${JSON.stringify(TAB10)})`,
    awaitPromise: true,
    returnByValue: true,
  });
  if (recolor.result.exceptionDetails) throw new Error(recolor.result.exceptionDetails.text);
  await sleep(4000); // the chart redrawn at its new size, in its new colors
  const card = await send("Runtime.evaluate", {
    expression: `document.querySelector("scalar-card").getBoundingClientRect().bottom`,
    returnByValue: true,
  });
  const bottom = Math.min(height, Math.ceil(card.result.result.value) + 16);
  const shot = await send("Page.captureScreenshot", {
    format: "png",
    clip: { x: 0, y: 0, width, height: bottom, scale: 1 },
  });
  writeFileSync(output, Buffer.from(shot.result.data, "base64"));
  console.log(`saved ${output} from ${page}: ${recolor.result.result.value} runs`);
  socket.close();
} finally {
  browser.kill();
  await sleep(500);
  rmSync(profile, { recursive: true, force: true });
}
