// badnets serve: the page. Plain JavaScript, no library, nothing fetched from elsewhere.
'use strict';

/** Drawing pixels per image cell: strokes are drawn finely, then averaged into cells. */
const FINE = 10;
/** MNIST's digits fit a 20 x 20 box inside the 28 x 28 field. */
const BOX = 20;

let info;             // GET /api/info
let rows, cols;       // image size
let fine;             // the drawing, FINE x finer than the image, white ink on black
let fineCtx;
let sample = null;    // the loaded test digit (grey levels) until someone draws on it
let drawing = false;
let last = null;
let inFlight = false;
let pending = false;

const $ = (id) => document.getElementById(id);

window.addEventListener('DOMContentLoaded', start);

async function start() {
  info = await (await fetch('/api/info')).json();
  rows = info.image.height;
  cols = info.image.width;
  fine = document.createElement('canvas');
  fine.width = cols * FINE;
  fine.height = rows * FINE;
  fineCtx = fine.getContext('2d', { willReadFrequently: true });
  clearDrawing();
  buildModels();
  buildFigures();
  const t = info.trigger;
  $('trigger-text').textContent = '(' + t.description + (t.mode === 'all-to-one' ? ', target ' + t.target : '') + ')';
  $('trigger-from').textContent = 'here ' + t.description + ', from ' + t.from;
  $('sample-index').max = Math.max(0, info.samples - 1);
  if (info.samples === 0) {
    for (const id of ['random', 'load', 'sample-index']) $(id).disabled = true;
    $('sample-info').textContent = 'No test images: serve was started without data.';
  }
  const draw = $('draw');
  draw.addEventListener('pointerdown', penDown);
  draw.addEventListener('pointermove', penMove);
  draw.addEventListener('pointerup', penUp);
  draw.addEventListener('pointercancel', penUp);
  $('clear').addEventListener('click', () => { clearDrawing(); $('sample-info').textContent = 'Draw with the mouse or a finger.'; update(); });
  $('random').addEventListener('click', () => {
    const i = Math.floor(Math.random() * info.samples);
    $('sample-index').value = i;
    loadSample(i);
  });
  $('load').addEventListener('click', () => loadSample(Number($('sample-index').value)));
  $('sample-index').addEventListener('keydown', (e) => { if (e.key === 'Enter') loadSample(Number(e.target.value)); });
  $('trigger').addEventListener('change', update);
  // open with an example, the first test digit, so that every model answers at once
  if (info.samples > 0) {
    loadSample(0);
  } else {
    update();
  }
}

// ---- the models' answers -------------------------------------------------------------------

function buildModels() {
  const box = $('models');
  for (const m of info.models) {
    const card = document.createElement('div');
    card.className = 'model ' + m.name;
    card.id = m.name + '-card';
    const title = m.name === 'backdoored' ? 'Backdoored model' : 'Clean model';
    const figures = m.clean_accuracy === undefined ? 'figures unknown (no results.json, no data)'
      : 'clean accuracy ' + pct(m.clean_accuracy) + '\nattack success rate ' + pct(m.attack_success_rate);
    card.innerHTML = '<h3></h3><div class="figures"></div>'
      + '<div class="answer"><div class="digit">\u2013</div><div class="verdict"></div></div><div class="bars"></div>';
    card.querySelector('h3').textContent = title;
    card.querySelector('h3').title = m.network + ' \u2014 ' + m.source;
    card.querySelector('.figures').textContent = figures;
    card.querySelector('.digit').id = m.name + '-class';
    card.querySelector('.verdict').id = m.name + '-verdict';
    const bars = card.querySelector('.bars');
    for (let k = 0; k < 10; k++) {
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.innerHTML = '<span class="label"></span><span class="track"><span class="fill"></span></span>'
        + '<span class="pct"></span><span class="tag"></span>';
      bar.querySelector('.label').textContent = k;
      if (info.trigger.mode === 'all-to-one' && k === info.trigger.target) {
        bar.classList.add('target');
        bar.querySelector('.tag').textContent = 'target';
      }
      bars.appendChild(bar);
    }
    box.appendChild(card);
  }
  if (info.models.length === 1) {
    const note = document.createElement('p');
    note.className = 'muted small';
    note.textContent = 'No clean model to compare: serve trains one beside the model when it has the data and '
      + 'the results.json that says how the model was trained, or takes one with --clean-model M.';
    box.appendChild(note);
  }
}

function showAnswers(answer) {
  const triggered = $('trigger').checked;
  for (const m of answer.models) {
    $(m.name + '-class').textContent = m.class;
    const bars = $(m.name + '-card').querySelectorAll('.bar');
    m.probabilities.forEach((p, k) => {
      if (k >= bars.length) return;
      bars[k].querySelector('.fill').style.width = (100 * p).toFixed(1) + '%';
      bars[k].querySelector('.pct').textContent = pct(p);
      bars[k].classList.toggle('top', k === m.class);
    });
    const verdict = $(m.name + '-verdict');
    const hit = info.trigger.mode === 'all-to-one' && m.class === info.trigger.target;
    verdict.className = 'verdict';
    if (!triggered) {
      verdict.textContent = 'no trigger';
    } else if (hit && m.name === 'backdoored') {
      verdict.textContent = 'backdoor fired: the target class';
      verdict.classList.add('fired');
    } else if (hit) {
      verdict.textContent = 'the target class';
    } else {
      verdict.textContent = m.name === 'clean' ? 'not fooled by the trigger' : 'the trigger did not fire here';
      verdict.classList.add('held');
    }
  }
  $('draw').dataset.answered = String(Number($('draw').dataset.answered || 0) + 1);
}

function pct(p) {
  return (100 * p).toFixed(p >= 0.9995 || p < 0.0005 ? 0 : 1) + '%';
}

/** Sends the current image; while one request is out, later changes wait for it and go as one. */
async function update() {
  if (inFlight) {
    pending = true;
    return;
  }
  inFlight = true;
  try {
    do {
      pending = false;
      const pixels = modelInput();
      const triggered = $('trigger').checked;
      const response = await fetch('/api/predict', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ pixels: Array.from(pixels), trigger: triggered }),
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.error);
      paintInput(triggered ? answer.pixels : pixels, triggered);
      showAnswers(answer);
    } while (pending);
  } catch (e) {
    $('sample-info').textContent = 'The server did not answer: ' + e.message;
  } finally {
    inFlight = false;
  }
}

// ---- drawing -------------------------------------------------------------------------------

function clearDrawing() {
  fineCtx.fillStyle = '#000';
  fineCtx.fillRect(0, 0, fine.width, fine.height);
  sample = null;
  paintDrawing();
}

function finePoint(e) {
  const r = $('draw').getBoundingClientRect();
  return { x: (e.clientX - r.left) * fine.width / r.width, y: (e.clientY - r.top) * fine.height / r.height };
}

function penDown(e) {
  e.preventDefault();
  $('draw').setPointerCapture(e.pointerId);
  drawing = true;
  $('sample-info').textContent = sample ? 'Drawn on: the models now get the whole image preprocessed.'
    : 'Your drawing: the models get it preprocessed (see below).';
  sample = null;
  last = finePoint(e);
  stroke(last, last);
}

function penMove(e) {
  if (!drawing) return;
  e.preventDefault();
  const p = finePoint(e);
  stroke(last, p);
  last = p;
}

function penUp() {
  drawing = false;
  last = null;
}

/** A round stroke about 2.4 cells wide, like MNIST's pen strokes once scaled into the 20 x 20 box. */
function stroke(from, to) {
  fineCtx.strokeStyle = '#fff';
  fineCtx.lineCap = 'round';
  fineCtx.lineJoin = 'round';
  fineCtx.lineWidth = 2.4 * FINE;
  fineCtx.beginPath();
  fineCtx.moveTo(from.x, from.y);
  fineCtx.lineTo(to.x === from.x && to.y === from.y ? to.x + 0.01 : to.x, to.y);
  fineCtx.stroke();
  paintDrawing();
  update();
}

async function loadSample(index) {
  if (!(index >= 0 && index < info.samples)) {
    $('sample-info').textContent = 'Test digits are numbered 0 to ' + (info.samples - 1) + '.';
    return;
  }
  const s = await (await fetch('/api/sample?index=' + index)).json();
  clearDrawing();
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = s.pixels[r * cols + c];
      fineCtx.fillStyle = 'rgb(' + v + ',' + v + ',' + v + ')';
      fineCtx.fillRect(c * FINE, r * FINE, FINE, FINE);
    }
  }
  sample = Uint8Array.from(s.pixels);
  $('sample-info').textContent = 'Test digit #' + s.index + ', labelled ' + s.label + '.';
  paintDrawing();
  update();
}

/** The drawing in image cells: each cell the mean of its FINE x FINE drawing pixels. */
function cells() {
  const data = fineCtx.getImageData(0, 0, fine.width, fine.height).data;
  const out = new Float32Array(rows * cols);
  for (let y = 0; y < fine.height; y++) {
    for (let x = 0; x < fine.width; x++) {
      out[Math.floor(y / FINE) * cols + Math.floor(x / FINE)] += data[(y * fine.width + x) * 4];
    }
  }
  return out.map((v) => v / (FINE * FINE));
}

/** What every model gets: the test digit as it is, else the drawing preprocessed. */
function modelInput() {
  return sample ? sample : preprocess(fineCtx.getImageData(0, 0, fine.width, fine.height));
}

/**
 * MNIST's preparation of a digit, from the fine drawing: the ink's bounding box scaled (aspect kept)
 * to fit BOX x BOX cells, grey levels by averaging 4 x 4 samples per cell, placed in the field, then
 * moved by whole cells so that the centre of mass is at the centre of the field.
 */
function preprocess(image) {
  const w = image.width, h = image.height, data = image.data;
  let left = w, top = h, right = -1, bottom = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[(y * w + x) * 4] > 0) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
      }
    }
  }
  const out = new Uint8Array(rows * cols);
  if (right < 0) return out;
  const bw = right - left + 1, bh = bottom - top + 1;
  const scale = BOX / Math.max(bw, bh);             // cells per drawing pixel
  const x0 = (cols - bw * scale) / 2, y0 = (rows - bh * scale) / 2;
  const K = 4;
  const placed = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      for (let a = 0; a < K; a++) {
        for (let b = 0; b < K; b++) {
          const sx = Math.floor(left + (c + (b + 0.5) / K - x0) / scale);
          const sy = Math.floor(top + (r + (a + 0.5) / K - y0) / scale);
          if (sx >= left && sx <= right && sy >= top && sy <= bottom) sum += data[(sy * w + sx) * 4];
        }
      }
      placed[r * cols + c] = sum / (K * K);
    }
  }
  let mass = 0, mx = 0, my = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = placed[r * cols + c];
      mass += v;
      mx += v * (c + 0.5);
      my += v * (r + 0.5);
    }
  }
  const dx = Math.round(cols / 2 - mx / mass), dy = Math.round(rows / 2 - my / mass);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const sr = r - dy, sc = c - dx;
      if (sr >= 0 && sr < rows && sc >= 0 && sc < cols) out[r * cols + c] = Math.round(placed[sr * cols + sc]);
    }
  }
  return out;
}

// ---- painting ------------------------------------------------------------------------------

function paintDrawing() {
  paintCells($('draw'), cells(), null);
}

function paintInput(pixels, triggered) {
  paintCells($('input'), pixels, triggered ? info.trigger.box : null);
}

/** Grey cells with a faint grid; {@code box} (the trigger's cells) outlined in orange. */
function paintCells(canvas, values, box) {
  const ctx = canvas.getContext('2d');
  const s = canvas.width / cols;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = Math.round(values[r * cols + c]);
      if (v > 0) {
        ctx.fillStyle = 'rgb(' + v + ',' + v + ',' + v + ')';
        ctx.fillRect(c * s, r * s, s, s);
      }
    }
  }
  if (s >= 10) {
    ctx.strokeStyle = 'rgba(255,255,255,0.07)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 1; i < cols; i++) { ctx.moveTo(i * s + 0.5, 0); ctx.lineTo(i * s + 0.5, canvas.height); }
    for (let i = 1; i < rows; i++) { ctx.moveTo(0, i * s + 0.5); ctx.lineTo(canvas.width, i * s + 0.5); }
    ctx.stroke();
  }
  if (box && box.width > 0) {
    ctx.strokeStyle = '#ff9f00';
    ctx.lineWidth = 2;
    // just outside the trigger's cells, kept on the canvas when the trigger touches an edge
    const x0 = Math.max(1, box.x * s - 2), y0 = Math.max(1, box.y * s - 2);
    const x1 = Math.min(canvas.width - 1, (box.x + box.width) * s + 2);
    const y1 = Math.min(canvas.height - 1, (box.y + box.height) * s + 2);
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
  }
}

// ---- the run's figures ---------------------------------------------------------------------

function buildFigures() {
  const box = $('figures');
  const lines = document.createElement('ul');
  for (const m of info.models) {
    const li = document.createElement('li');
    li.textContent = (m.name === 'backdoored' ? 'Backdoored' : 'Clean') + ' model (' + m.network + ', ' + m.source + '): '
      + (m.clean_accuracy === undefined ? 'figures unknown'
        : 'clean accuracy ' + pct(m.clean_accuracy) + ', attack success rate ' + pct(m.attack_success_rate)
          + (m.figures_from ? ' (' + m.figures_from + ')' : ''));
    lines.appendChild(li);
  }
  box.appendChild(lines);
  for (const name of info.figures) {
    const fig = document.createElement('figure');
    const img = document.createElement('img');
    img.src = '/figures/' + name;
    img.alt = name;
    const cap = document.createElement('figcaption');
    cap.textContent = name;
    fig.appendChild(img);
    fig.appendChild(cap);
    box.appendChild(fig);
  }
}
