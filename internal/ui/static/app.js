// opsmcp's page: the token is kept for the tab (sessionStorage) and sent as
// an Authorization header; pages are server-rendered HTML fragments fetched
// from /ui/data/ and shown as they come. No cookies, no external assets.
"use strict";
const key = "opsmcp-token";
const $ = (id) => document.getElementById(id);

function token() { return sessionStorage.getItem(key) || ""; }

async function load(path, init) {
  const t = token();
  if (!t) { signin(); return; }
  $("status").textContent = "Loading…";
  const opts = Object.assign({ headers: { "Authorization": "Bearer " + t } }, init || {});
  let res;
  try {
    res = await fetch("/ui/data" + path, opts);
  } catch (e) {
    $("status").textContent = "The service cannot be reached: " + e.message;
    return;
  }
  if (res.status === 401) {
    sessionStorage.removeItem(key);
    signin("That token was not accepted.");
    return;
  }
  const html = await res.text();
  $("status").textContent = res.ok ? "" : "Error " + res.status;
  $("page").innerHTML = res.ok ? html : "";
  if (!res.ok) { $("status").textContent += ": " + html; }
  $("signout").hidden = false;
  $("main").focus();
}

function signin(why) {
  $("page").innerHTML = "";
  $("signout").hidden = true;
  $("signin").hidden = false;
  $("status").textContent = why || "";
  $("token").focus();
}

function route() {
  const path = location.hash.replace(/^#/, "") || "/plans";
  load(path);
}

$("signin").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem(key, $("token").value);
  $("token").value = "";
  $("signin").hidden = true;
  route();
});

$("signout").addEventListener("click", () => { sessionStorage.removeItem(key); signin(); });

// Forms in fragments: POST decisions, GET filters, all with the header.
document.addEventListener("submit", (e) => {
  const f = e.target;
  if (f.id === "signin") { return; }
  e.preventDefault();
  const body = new URLSearchParams(new FormData(f));
  if (f.method.toLowerCase() === "post") {
    load(f.getAttribute("data-path"), { method: "POST", body: body,
      headers: { "Authorization": "Bearer " + token(), "Content-Type": "application/x-www-form-urlencoded" } });
  } else {
    location.hash = f.getAttribute("data-path") + "?" + body.toString();
  }
});

window.addEventListener("hashchange", route);
route();
