// Episode pages: "Play snip" plays exactly the snip's range; timestamps seek the episode.
// Without this script the page still works: each snip's <audio> starts at its range
// (`#t=start,end`, which browsers honour) and a timestamp link opens the audio at its time.
(function () {
  "use strict";

  // The page's words (data-text-* on the episode, from the template's catalogue).
  const ENGLISH = { play: "Play snip", pause: "Pause", position: "Position in the snip" };
  function word(name) {
    const episode = document.querySelector(".episode");
    const key = "text" + name[0].toUpperCase() + name.slice(1);
    return (episode && episode.dataset[key]) || ENGLISH[name];
  }

  const END_SLACK = 0.03; // seconds: stop this close to the end rather than a frame after it
  let active = null; // the snip being played: { audio, start, end, section }

  function clock(seconds) {
    const whole = Math.max(0, Math.floor(seconds + 0.001));
    const h = Math.floor(whole / 3600);
    const m = Math.floor((whole % 3600) / 60);
    const s = String(whole % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + s : m + ":" + s;
  }

  function pauseOthers(except) {
    document.querySelectorAll("audio").forEach(function (audio) {
      if (audio !== except && !audio.paused) audio.pause();
    });
  }

  function canSeek(audio, time) {
    const ranges = audio.seekable;
    for (let i = 0; i < ranges.length; i++) {
      if (ranges.start(i) <= time && time <= ranges.end(i) + 0.01) return true;
    }
    return false;
  }

  // Resolves once `audio` can be sought to `time`. A server that ignores Range requests
  // (`python -m http.server`) makes Chromium refuse every seek, even in a file it holds whole;
  // the file is then fetched once and played from memory.
  function seekable(audio, time) {
    return new Promise(function (resolve) {
      function check() {
        if (time <= 0 || canSeek(audio, time) || audio.dataset.fetched) return resolve();
        audio.dataset.fetched = "1";
        fetch(audio.currentSrc.split("#")[0])
          .then(function (response) { return response.ok ? response.blob() : Promise.reject(); })
          .then(function (blob) {
            audio.addEventListener("loadedmetadata", function () { resolve(); }, { once: true });
            audio.src = URL.createObjectURL(blob);
            audio.load();
          })
          .catch(function () { resolve(); });
      }
      if (audio.readyState >= 1) return check();
      audio.preload = "auto";
      audio.addEventListener("loadedmetadata", check, { once: true });
      audio.load();
    });
  }

  function seekThenPlay(audio, time) {
    return seekable(audio, time).then(function () {
      if (Math.abs(audio.currentTime - time) > 0.05) audio.currentTime = time;
      return audio.play();
    });
  }

  // While a snip plays, check every frame (and on timeupdate) whether it reached its end.
  function watch() {
    if (!active || active.audio.paused) return;
    enforceEnd();
    if (active) requestAnimationFrame(watch);
  }

  function enforceEnd() {
    if (!active || active.end === null) return;
    const audio = active.audio;
    if (audio.currentTime >= active.end - END_SLACK) {
      audio.pause();
      audio.currentTime = active.end;
      active.section.classList.add("is-done");
      active = null;
    }
  }

  function setupSnip(section) {
    const audio = section.querySelector("audio.snip-audio");
    const start = parseFloat(section.dataset.start);
    const end = section.dataset.end ? parseFloat(section.dataset.end) : null;
    if (!audio || isNaN(start)) return;
    const title = section.querySelector(".snip-title");
    let bar = section.querySelector(".snip-bar");
    if (!bar) {
      bar = document.createElement("div");
      bar.className = "snip-bar";
      audio.before(bar);
    }

    const button = document.createElement("button");
    button.type = "button";
    button.className = "snip-play";
    button.setAttribute("aria-label", word("play") + (title ? ": " + title.textContent.trim() : ""));
    button.innerHTML = '<span class="snip-play-icon" aria-hidden="true"></span><span class="snip-play-label"></span>';
    button.querySelector(".snip-play-label").textContent = word("play");
    bar.prepend(button);

    const controls = document.createElement("div");
    controls.className = "snip-controls";
    const seek = document.createElement("input");
    seek.type = "range";
    seek.className = "snip-seek";
    seek.min = "0";
    seek.max = String(end !== null ? end - start : 0);
    seek.step = "0.1";
    seek.value = "0";
    seek.setAttribute("aria-label", word("position"));
    const time = document.createElement("span");
    time.className = "snip-time";
    controls.append(seek, time);
    if (end !== null) audio.before(controls);
    section.classList.add("has-player");

    function show() {
      const into = Math.min(Math.max(audio.currentTime - start, 0), end !== null ? end - start : Infinity);
      if (end !== null) {
        seek.value = String(into);
        seek.style.setProperty("--fill", (100 * into) / (end - start || 1) + "%");
        time.textContent = clock(into) + " / " + clock(end - start);
      }
    }
    show();

    button.addEventListener("click", function () {
      if (active && active.section === section && !audio.paused) {
        audio.pause();
        return;
      }
      const resume = active && active.section === section && audio.currentTime < end;
      pauseOthers(audio);
      active = { audio: audio, start: start, end: end, section: section };
      section.classList.remove("is-done");
      const from = resume && audio.currentTime >= start ? audio.currentTime : start;
      seekThenPlay(audio, from).catch(function () { active = null; });
    });

    seek.addEventListener("input", function () {
      const to = start + parseFloat(seek.value);
      if (!active || active.section !== section) {
        active = { audio: audio, start: start, end: end, section: section };
      }
      seekable(audio, to).then(function () { audio.currentTime = to; show(); });
    });

    audio.addEventListener("play", function () {
      pauseOthers(audio);
      section.classList.add("is-playing");
      button.querySelector(".snip-play-label").textContent = word("pause");
      if (!active || active.audio !== audio) {
        active = { audio: audio, start: start, end: end, section: section };
      }
      requestAnimationFrame(watch);
    });
    audio.addEventListener("pause", function () {
      section.classList.remove("is-playing");
      button.querySelector(".snip-play-label").textContent = word("play");
    });
    audio.addEventListener("timeupdate", function () {
      if (active && active.audio === audio) enforceEnd();
      show();
    });
    audio.addEventListener("seeking", function () {
      // Sought outside the snip on purpose: stop holding it to its range.
      if (active && active.audio === audio && end !== null &&
          (audio.currentTime < start - 0.5 || audio.currentTime > end + 0.5)) active = null;
    });
  }

  function episodePlayer() {
    return document.querySelector("audio.episode-audio");
  }

  function setupTimestamps() {
    document.addEventListener("click", function (event) {
      const link = event.target.closest && event.target.closest("a.timestamp");
      const player = episodePlayer();
      if (!link || !player) return;
      const time = parseFloat(link.dataset.t);
      if (isNaN(time)) return;
      event.preventDefault();
      active = null;
      pauseOthers(player);
      seekThenPlay(player, time).catch(function () { /* the controls are still there */ });
    });
  }

  // The whole-episode player docks at the bottom of the window while it plays out of view.
  function setupDock() {
    const player = episodePlayer();
    const holder = player && player.closest(".episode-player");
    const header = player && player.closest(".episode-header");
    if (!holder || !header || !("IntersectionObserver" in window)) return;
    let headerVisible = true;
    function update() {
      holder.classList.toggle("is-docked", !headerVisible && !player.paused);
    }
    new IntersectionObserver(function (entries) {
      headerVisible = entries[0].isIntersecting;
      update();
    }).observe(header);
    player.addEventListener("play", update);
    player.addEventListener("pause", update);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("section.snip").forEach(setupSnip);
    setupTimestamps();
    setupDock();
    document.documentElement.classList.add("episode-js");
  });
})();
