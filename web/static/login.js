// The login page; in single-user mode, the form that creates the first admin and turns accounts on.
"use strict";

function next() {
  const target = new URLSearchParams(window.location.search).get("next") || "/";
  return target.startsWith("/") && !target.startsWith("//") ? target : "/";
}

async function post(path, body, errorBox) {
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({ ok: false, error: "服务器返回了无法识别的内容", hint: "" }));
  if (!data.ok) {
    errorBox.textContent = data.error + (data.hint ? "（" + data.hint + "）" : "");
    return null;
  }
  return data;
}

async function login(event) {
  event.preventDefault();
  const data = await post("/api/login", { username: document.getElementById("username").value,
    password: document.getElementById("password").value }, document.getElementById("login-error"));
  if (data) window.location.href = next();
}

async function setup(event) {
  event.preventDefault();
  const errorBox = document.getElementById("setup-error");
  const password = document.getElementById("setup-password").value;
  if (password !== document.getElementById("setup-password2").value) {
    errorBox.textContent = "两次输入的密码不一致";
    return;
  }
  const data = await post("/api/setup", { username: document.getElementById("setup-username").value,
    display_name: document.getElementById("setup-display").value, password,
    local_unit: document.getElementById("setup-unit").value }, errorBox);
  if (data) window.location.href = "/admin";
}

document.addEventListener("DOMContentLoaded", async () => {
  const res = await fetch("/api/me");
  const info = await res.json();
  const setupWanted = info.setup_possible;
  if (info.mode === "accounts" && info.user) {
    window.location.href = next();
    return;
  }
  document.getElementById(setupWanted ? "setup-form" : "login-form").hidden = false;
  document.getElementById("login-form").addEventListener("submit", login);
  document.getElementById("setup-form").addEventListener("submit", setup);
});
