// The atlas's index.html: one self-contained offline page (no network, no external files besides
// the tiles) with a layer list, search by layer or channel, and each channel's "dream with this"
// recipe and command.

export interface AtlasLayer {
  name: string;
  channels: number[];
  training: string;
}

export interface AtlasIndex {
  model: { id: string; sha256: string };
  size: number;
  steps: number;
  layers: AtlasLayer[];
}

/** The dream recipe that amplifies one channel (for `reverie dream --recipe`). */
export function channelRecipe(model: string, layer: string, channel: number): Record<string, unknown> {
  return { version: 1, model, layers: [], channels: [{ layer, index: channel, weight: 1 }] };
}

// JSON inside <script>: "</script>" and U+2028/9 must not end or break it.
const safeJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
const escapeHtml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `body{margin:0;font:14px system-ui,sans-serif;background:#151515;color:#ddd;display:flex;height:100vh}
nav{width:190px;overflow:auto;border-right:1px solid #333;padding:8px}nav a{display:block;color:#9cf;padding:3px 4px;text-decoration:none}
nav a.on{background:#2a3a4a}main{flex:1;overflow:auto;padding:8px}input{width:100%;box-sizing:border-box;margin-bottom:8px;padding:4px;background:#222;color:#eee;border:1px solid #444}
.grid{display:flex;flex-wrap:wrap;gap:6px}figure{margin:0;width:var(--s);cursor:pointer}figure img{width:var(--s);height:var(--s);image-rendering:auto;display:block}
figcaption{font-size:11px;color:#aaa}.ft figcaption{color:#ff8c1a}#detail{position:fixed;right:12px;bottom:12px;max-width:420px;background:#222;border:1px solid #444;padding:10px;display:none}
#detail img{width:256px;height:256px}pre{white-space:pre-wrap;font-size:11px;background:#111;padding:6px}`;

const SCRIPT = `const A=JSON.parse(document.getElementById('atlas').textContent);
const pad=c=>String(c).padStart(4,'0');const nav=document.querySelector('nav'),grid=document.querySelector('.grid'),q=document.querySelector('input'),det=document.getElementById('detail');
let layer=(location.hash.slice(1)||A.layers[0].name);
function show(){const term=q.value.trim().toLowerCase();grid.innerHTML='';
for(const a of nav.querySelectorAll('a'))a.className=a.dataset.l===layer?'on':'';
for(const L of A.layers){if(!term&&L.name!==layer)continue;for(const c of L.channels){const key=L.name+':'+c;if(term&&!key.includes(term))continue;
const f=document.createElement('figure');if(L.training==='fine-tuned')f.className='ft';f.innerHTML='<img loading="lazy" alt="'+key+'" src="'+L.name+'/'+pad(c)+'.png"><figcaption>'+key+'</figcaption>';
f.onclick=()=>detail(L,c);grid.appendChild(f);}}}
function detail(L,c){const r={version:1,model:A.model.id,layers:[],channels:[{layer:L.name,index:c,weight:1}]};
det.style.display='block';det.innerHTML='<img src="'+L.name+'/'+pad(c)+'.png"><div>'+L.name+' channel '+c+' ('+L.training+')</div><p>Dream with this:</p><pre>reverie dream IN.jpg -o OUT.png --channel '+L.name+':'+c+'</pre><pre>'+JSON.stringify(r,null,1)+'</pre><button>close</button>';
det.querySelector('button').onclick=()=>det.style.display='none';}
for(const L of A.layers){const a=document.createElement('a');a.href='#'+L.name;a.dataset.l=L.name;a.textContent=L.name+' ('+L.channels.length+')';a.onclick=()=>{layer=L.name;q.value='';setTimeout(show)};nav.appendChild(a);}
q.oninput=show;document.documentElement.style.setProperty('--s',Math.min(A.size,160)+'px');show();`;

export function atlasHtml(index: AtlasIndex): string {
  const total = index.layers.reduce((n, l) => n + l.channels.length, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reverie atlas: ${escapeHtml(index.model.id)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' file:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<style>${STYLE}</style></head>
<body><nav><strong>${escapeHtml(index.model.id)}</strong><div>${total} channels, ${index.size}px, ${index.steps} steps</div></nav>
<main><input type="search" placeholder="search: mixed4, mixed4:97, :12"><div class="grid"></div></main><div id="detail"></div>
<script type="application/json" id="atlas">${safeJson(index)}</script>
<script>${SCRIPT}</script></body></html>
`;
}
