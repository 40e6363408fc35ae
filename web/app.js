// govkg serve: the page. Vanilla JS over /sparql, /queries, /search and /profile; cytoscape for the graph.
// Everything from the store is inserted as text (never as HTML).
(function () {
  'use strict';

  var ENTITY_PREFIX = 'https://w3id.org/govkg/id/';
  var REPORT_PREFIX = 'https://w3id.org/govkg/report/';
  // Entity and relation kinds come from the server's registry (GET /kinds, data/kinds.toml):
  // names, colours and shapes are the same as in the DOT drawing.
  var KINDS = {};
  var CLASS_TO_KIND = {};
  // Edge labels (out) and how a profile names the relation in each direction. The registry's
  // relations are added by loadKinds; these two are attributes that link entities.
  var RELATIONS = {
    creator: { out: '发布', outText: '发布机构 issued by', inText: '发布的文件 issued' },
    jurisdiction: { out: '辖区', outText: '辖区 jurisdiction', inText: '辖区内 within' }
  };
  var RELATION_KINDS = [];
  var FACT_NAMES = {
    level: '层级 level', agencyKind: '机构类别 agency kind', lawKind: '法规类别 law kind', scope: '范围 scope',
    docType: '文件类型 document type', jurisdiction: '辖区 jurisdiction', creator: '发布机构 issued by',
    title: '标题 title', year: '年度 year'
  };
  var MAX_ROWS = 2000;
  var MAX_NODES = 300;
  var SEARCH_LIMIT = 20;
  // Datatypes whose values a column sorts as numbers.
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|(non)?(Negative|Positive)Integer|negativeInteger|positiveInteger|unsigned(Int|Long|Short|Byte))$/;

  var $ = function (id) { return document.getElementById(id); };
  var state = {
    queries: [], labels: {}, lastResult: null, runSeq: 0, profileSeq: 0, searchSeq: 0, view: 'results', ready: false,
    named: null, runHash: null, sort: { v: null, desc: false }
  };
  window.govkg = state;

  // ------------------------------------------------------------------ helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] === undefined || attrs[k] === null) return;
        if (k === 'text') node.textContent = attrs[k];
        else if (k === 'class') node.className = attrs[k];
        else node.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }
  function kindOf(iri) {
    if (typeof iri !== 'string' || iri.indexOf(ENTITY_PREFIX) !== 0) return null;
    var kind = iri.slice(ENTITY_PREFIX.length).split('/')[0];
    return KINDS[kind] ? kind : null;
  }
  function isEntity(iri) { return kindOf(iri) !== null; }
  function labelFromIri(iri) {
    var last = iri.split('/').pop();
    try { return decodeURIComponent(last); } catch (e) { return last; }
  }
  function labelOf(iri) { return state.labels[iri] || labelFromIri(iri); }
  function profileHref(iri) { return '#/entity/' + encodeURIComponent(iri); }
  function entityLink(iri, label) {
    var kind = kindOf(iri);
    return el('a', { href: profileHref(iri), class: 'entity kind-' + kind, title: iri, 'data-iri': iri, text: label || labelOf(iri) });
  }
  function showError(message) {
    var box = $('error');
    box.textContent = message;
    box.hidden = !message;
  }
  function setStatus(text) { $('status').textContent = text; }
  function sparqlEscapeOk(iri) { return !/[\s<>"{}|^`\\]/.test(iri); }

  function fetchText(url, options) {
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        if (!response.ok) {
          var err = new Error((text || response.statusText).trim() + ' (HTTP ' + response.status + ')');
          err.status = response.status;
          throw err;
        }
        return { text: text, type: response.headers.get('Content-Type') || '' };
      });
    }, function (e) { throw new Error('cannot reach the server: ' + e.message); });
  }
  // Parameters go as `param.NAME=VALUE`, which the server binds as `govkg query --param` does.
  function paramsQuery(params) {
    return params.map(function (p) {
      return encodeURIComponent('param.' + p[0]) + '=' + encodeURIComponent(p[1]);
    }).join('&');
  }
  function sparql(query, params) {
    var extra = paramsQuery(params || []);
    return fetchText('/sparql' + (extra ? '?' + extra : ''), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/sparql-query',
        'Accept': 'application/sparql-results+json, text/turtle;q=0.9'
      },
      body: query
    });
  }

  // ------------------------------------------------------------------ named queries
  // Kind colours as CSS rules, and the legend, from the registry.
  function applyKinds(registry) {
    var rules = [];
    registry.entities.forEach(function (k) {
      KINDS[k.id] = k;
      CLASS_TO_KIND[k['class']] = k.id;
      rules.push('.kind-' + k.id + ' { color: ' + k.color + '; }');
      rules.push('#profile .badge.' + k.id + ', #search-results .badge.' + k.id + ', .legend .' + k.id + '::before { background: ' + k.color + '; }');
    });
    registry.relations.forEach(function (r) {
      RELATION_KINDS.push(r);
      RELATIONS[r.id] = { out: r.zh, outText: r.zh + ' ' + r.en + ' →', inText: '← ' + r.inverse_zh + ' ' + r.inverse_en, color: r.color };
    });
    document.head.appendChild(el('style', { id: 'kind-styles', text: rules.join('\n') }));
    var legend = $('legend');
    legend.textContent = '';
    registry.entities.forEach(function (k) {
      legend.appendChild(el('span', { class: 'key ' + k.id + ' shape-' + k.shape, title: k.en, text: k.zh }));
    });
  }
  function loadKinds() {
    return fetchText('/kinds').then(function (r) { applyKinds(JSON.parse(r.text)); })
      .catch(function (e) { showError('cannot load the kinds of entity: ' + e.message); });
  }
  function loadNamedQueries() {
    return fetchText('/queries').then(function (r) {
      state.queries = JSON.parse(r.text);
      var box = $('named-queries');
      box.textContent = '';
      state.queries.forEach(function (q) {
        var button = el('button', { type: 'button', 'data-name': q.name, title: q.summary, text: q.name });
        button.addEventListener('click', function () { runNamed(q.name); });
        box.appendChild(button);
      });
      if (!$('query').value && state.queries.length) selectNamed(state.queries[0].name, {});
    }).catch(function (e) { showError('cannot load the named queries: ' + e.message); });
  }
  function namedQuery(name) {
    return state.queries.filter(function (x) { return x.name === name; })[0] || null;
  }
  // A named query's text starts with its comment header (queries/*.rq): `# name — what it
  // answers`, `# Parameter ?name: what to give` lines and notes on how it is written. The editor
  // shows the query without it; what it answers is the summary above the editor.
  function queryBody(text) {
    var lines = text.split('\n');
    var i = 0;
    while (i < lines.length && (/^\s*#/.test(lines[i]) || !lines[i].trim())) i++;
    return lines.slice(i).join('\n');
  }
  // The parameters /queries lists, each with what the header says to give and its example.
  function parameterHelp(q) {
    var about = {};
    q.text.split('\n').forEach(function (line) {
      var m = /^#\s*Parameter \?(\w+):\s*(.*)$/.exec(line);
      if (m) about[m[1]] = m[2];
    });
    return (q.parameters || []).map(function (name) {
      var text = about[name] || '';
      var example = /e\.g\. --param '?\w+=([^'\s)]+)/.exec(text);
      return {
        name: name,
        about: text.replace(/--param '?\w+=([^'\s)]+)'?/, '$1'),
        example: example ? example[1] : ''
      };
    });
  }
  function selectNamed(name, values) {
    var q = namedQuery(name);
    if (!q) return null;
    state.named = name;
    $('query').value = queryBody(q.text);
    Array.prototype.forEach.call(document.querySelectorAll('#named-queries button'), function (b) {
      b.classList.toggle('active', b.getAttribute('data-name') === name);
    });
    $('query-summary').textContent = '';
    $('query-summary').appendChild(el('b', { text: q.name }));
    $('query-summary').appendChild(document.createTextNode(' — ' + q.summary));
    renderParamFields(q, values || {});
    return q;
  }
  function clearNamed() {
    state.named = null;
    Array.prototype.forEach.call(document.querySelectorAll('#named-queries button'), function (b) {
      b.classList.remove('active');
    });
    $('query-summary').textContent = '';
    renderParamFields({ text: '', parameters: [] }, {});
  }
  // One field per declared parameter; an empty field leaves its variable unbound (all rows).
  function renderParamFields(q, values) {
    var box = $('query-params');
    box.textContent = '';
    var params = parameterHelp(q);
    box.hidden = !params.length;
    if (!params.length) return;
    box.appendChild(el('div', { class: 'label', text: '参数 Parameters · 留空 = 全部 empty = every row' }));
    params.forEach(function (p) {
      var input = el('input', {
        type: 'text', id: 'param-' + p.name, 'data-param': p.name, spellcheck: 'false',
        placeholder: p.example ? 'e.g. ' + p.example : '', title: p.about
      });
      input.value = values[p.name] || '';
      input.addEventListener('keydown', function (e) {
        if (e.key === 'Enter') { e.preventDefault(); runQuery(); }
      });
      box.appendChild(el('label', { class: 'param' }, [
        el('code', { text: '?' + p.name }), input, el('span', { class: 'about', text: p.about })
      ]));
    });
  }
  // The filled-in parameters whose variable the editor's query still uses, as [name, value].
  function currentParams(text) {
    var params = [];
    Array.prototype.forEach.call(document.querySelectorAll('#query-params input[data-param]'), function (input) {
      var name = input.getAttribute('data-param'), value = input.value.trim();
      if (value && new RegExp('[?$]' + name + '\\b').test(text)) params.push([name, value]);
    });
    return params;
  }
  function runNamed(name) {
    if (!selectNamed(name, {})) return;
    runQuery();
  }

  // ------------------------------------------------------------------ the address of a query
  // #/query?name=NAMED&param.NAME=VALUE&q=TEXT: the named query chosen, its parameters, and the
  // text when it is not the named query's own. Opening the address restores and runs the query.
  function shareHash(text, params) {
    var sp = new URLSearchParams();
    var q = state.named && namedQuery(state.named);
    if (q) sp.append('name', q.name);
    params.forEach(function (p) { sp.append('param.' + p[0], p[1]); });
    if (!q || queryBody(q.text).trim() !== text.trim()) sp.append('q', text);
    return '#/query?' + sp.toString();
  }
  function restoreQuery(search) {
    var sp = new URLSearchParams(search);
    var values = {};
    sp.forEach(function (value, key) {
      if (key.indexOf('param.') === 0) values[key.slice('param.'.length)] = value;
    });
    var name = sp.get('name');
    if (!(name && selectNamed(name, values))) clearNamed();
    if (sp.has('q')) $('query').value = sp.get('q');
    return runQuery({ replace: true });
  }
  // The address already holds the query; this copies it, or offers it to copy by hand where
  // the browser allows no clipboard (a page not on localhost).
  function copyShareLink() {
    var address = location.href;
    var shown = $('status').textContent.replace(/ · 地址已复制 address copied$/, '');
    var byHand = function () { window.prompt('复制此地址 copy this address', address); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(address).then(function () {
        setStatus(shown + ' · 地址已复制 address copied');
      }, byHand);
    } else {
      byHand();
    }
  }

  // ------------------------------------------------------------------ running a query
  function setDownloads(text, params) {
    var base = '/sparql?query=' + encodeURIComponent(text) + (params.length ? '&' + paramsQuery(params) : '');
    var stem = 'govkg-' + (state.named || 'result');
    $('download-csv').href = base + '&format=csv';
    $('download-csv').setAttribute('download', stem + '.csv');
    $('download-json').href = base + '&format=json';
    $('download-json').setAttribute('download', stem + '.json');
  }
  function rowSummary(json) {
    var total = json.results.bindings.length;
    return total > MAX_ROWS ? 'showing ' + MAX_ROWS + ' of ' + total + ' rows' : total + ' rows';
  }
  // Runs the editor's query with the parameters filled in, and puts it in the address (a new
  // history entry, or in place of the current one when the address was what asked for it).
  function runQuery(options) {
    var query = $('query').value;
    var params = currentParams(query);
    var hash = shareHash(query, params);
    if (location.hash !== hash) history[options && options.replace ? 'replaceState' : 'pushState'](null, '', hash);
    state.runHash = location.hash;
    var seq = ++state.runSeq;
    var started = performance.now();
    showError('');
    setStatus('running…');
    $('run').disabled = true;
    $('downloads').hidden = true;
    showView('results');
    return sparql(query, params).then(function (r) {
      if (seq !== state.runSeq) return;
      var ms = Math.round(performance.now() - started);
      if (r.type.indexOf('application/sparql-results+json') === 0) {
        var json = JSON.parse(r.text);
        if (typeof json.boolean === 'boolean') {
          renderRaw('ASK → ' + json.boolean);
          setStatus('ASK · ' + ms + ' ms');
          return;
        }
        state.lastResult = json;
        state.sort = { v: null, desc: false };
        return resolveLabels(json).then(function () {
          if (seq !== state.runSeq) return;
          renderTable(json);
          renderResultGraph(json);
          setDownloads(query, params);
          $('downloads').hidden = false;
          setStatus(rowSummary(json) + ' · ' + ms + ' ms');
        });
      }
      renderRaw(r.text);
      setStatus('graph result (' + r.type.split(';')[0] + ') · ' + ms + ' ms');
    }).catch(function (e) {
      if (seq !== state.runSeq) return;
      showError(e.message);
      setStatus('failed');
    }).then(function () {
      if (seq === state.runSeq) $('run').disabled = false;
    });
  }

  // Pairs a label column `x` with an IRI column `xIri` (the named queries' convention).
  function labelPairs(vars) {
    var pairs = {};
    vars.forEach(function (v) {
      if (vars.indexOf(v + 'Iri') >= 0) pairs[v] = v + 'Iri';
    });
    return pairs;
  }

  // Learns labels from paired columns; fetches skos:prefLabel for other entity IRIs.
  function resolveLabels(json) {
    var vars = json.head.vars;
    var pairs = labelPairs(vars);
    var missing = {};
    json.results.bindings.forEach(function (b) {
      Object.keys(pairs).forEach(function (labelVar) {
        var iri = b[pairs[labelVar]], label = b[labelVar];
        if (iri && iri.type === 'uri' && label) state.labels[iri.value] = label.value;
      });
      vars.forEach(function (v) {
        var cell = b[v];
        if (cell && cell.type === 'uri' && isEntity(cell.value) && !state.labels[cell.value]) missing[cell.value] = true;
      });
    });
    var iris = Object.keys(missing).filter(sparqlEscapeOk).slice(0, 500);
    if (!iris.length) return Promise.resolve();
    var q = 'PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nSELECT ?iri (SAMPLE(?l) AS ?label) WHERE {\n  VALUES ?iri { ' +
      iris.map(function (i) { return '<' + i + '>'; }).join(' ') + ' }\n  ?iri skos:prefLabel ?l\n} GROUP BY ?iri';
    return sparql(q).then(function (r) {
      JSON.parse(r.text).results.bindings.forEach(function (b) {
        if (b.iri && b.label) state.labels[b.iri.value] = b.label.value;
      });
    }).catch(function () { /* labels are a nicety: fall back to the IRI's last segment */ });
  }

  function renderRaw(text) {
    $('results').textContent = '';
    $('row-note').hidden = true;
    $('raw-output').hidden = false;
    $('raw-output').querySelector('pre').textContent = text;
    clearGraph('结果 Result');
  }

  // Sorting: a click on a header sorts by that column, ascending, a second click descending.
  // A column whose values all have a numeric datatype sorts as numbers, others as text
  // (Chinese in pinyin order, digits within text by value); empty cells go last either way.
  function isNumeric(cell) { return cell.type === 'literal' && !!cell.datatype && NUMERIC.test(cell.datatype); }
  function sortedBindings(json) {
    var rows = json.results.bindings;
    var v = state.sort.v;
    if (!v) return rows;
    var filled = rows.filter(function (b) { return b[v]; });
    var numeric = filled.length > 0 && filled.every(function (b) { return isNumeric(b[v]); });
    var collator = new Intl.Collator('zh-CN', { numeric: true });
    var sign = state.sort.desc ? -1 : 1;
    return rows.slice().sort(function (a, b) {
      var x = a[v], y = b[v];
      if (!x || !y) return x ? -1 : (y ? 1 : 0);
      var c = numeric ? Number(x.value) - Number(y.value) : collator.compare(x.value, y.value);
      return sign * c;
    });
  }
  function sortBy(v) {
    state.sort = state.sort.v === v ? { v: v, desc: !state.sort.desc } : { v: v, desc: false };
    if (state.lastResult) renderTable(state.lastResult);
  }
  function headerCell(v, pairs) {
    var sorted = state.sort.v === v;
    var th = el('th', {
      text: v, class: 'sortable', tabindex: '0', 'data-var': v,
      'aria-sort': sorted ? (state.sort.desc ? 'descending' : 'ascending') : 'none',
      title: (pairs[v] ? 'linked through ?' + pairs[v] + ' · ' : '') + '点击排序 click to sort'
    });
    if (sorted) th.appendChild(el('span', { class: 'arrow', text: state.sort.desc ? ' ▼' : ' ▲' }));
    th.addEventListener('click', function () { sortBy(v); });
    th.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(v); }
    });
    return th;
  }
  function tableRow(b, shown, pairs) {
    var tr = el('tr');
    shown.forEach(function (v) {
      var cell = b[v];
      var td = el('td', { 'data-var': v });
      if (/evidence/i.test(v)) td.className = 'evidence';
      if (cell) {
        var pairIri = pairs[v] && b[pairs[v]];
        if (pairIri && pairIri.type === 'uri' && isEntity(pairIri.value)) {
          td.appendChild(entityLink(pairIri.value, cell.value));
        } else {
          td.appendChild(renderCell(cell));
          if (isNumeric(cell)) td.className = 'num';
        }
      }
      tr.appendChild(td);
    });
    return tr;
  }
  function renderTable(json) {
    $('raw-output').hidden = true;
    var table = $('results');
    table.textContent = '';
    var vars = json.head.vars;
    var pairs = labelPairs(vars);
    var hidden = {};
    if (!$('show-iris').checked) Object.keys(pairs).forEach(function (k) { hidden[pairs[k]] = true; });
    var shown = vars.filter(function (v) { return !hidden[v]; });
    table.appendChild(el('thead', null, [el('tr', null, shown.map(function (v) { return headerCell(v, pairs); }))]));
    var body = el('tbody');
    sortedBindings(json).slice(0, MAX_ROWS).forEach(function (b) { body.appendChild(tableRow(b, shown, pairs)); });
    table.appendChild(body);
    var total = json.results.bindings.length;
    var note = $('row-note');
    note.hidden = total <= MAX_ROWS;
    note.textContent = total > MAX_ROWS
      ? '表格显示前 ' + MAX_ROWS + ' 行，共 ' + total + ' 行（排序针对全部行，下载包含全部行） showing ' + MAX_ROWS + ' of ' +
        total + ' rows: sorting covers all ' + total + ', the downloads hold every row'
      : '';
  }

  function renderCell(cell) {
    if (cell.type === 'uri') {
      if (isEntity(cell.value)) return entityLink(cell.value);
      return el('span', { class: 'iri-text', text: cell.value });
    }
    if (cell.type === 'bnode') return el('span', { class: 'iri-text', text: '_:' + cell.value });
    var node = el('span', { text: cell.value });
    if (cell['xml:lang'] && cell['xml:lang'] !== 'zh') node.setAttribute('lang', cell['xml:lang']);
    return node;
  }

  // ------------------------------------------------------------------ graph
  var cy = null;
  function graphStyle() {
    var font = getComputedStyle(document.body).fontFamily;
    var style = [
      { selector: 'node', style: {
        'label': 'data(label)', 'font-family': font, 'font-size': 11, 'color': '#1a202c',
        'text-valign': 'bottom', 'text-halign': 'center', 'text-margin-y': 3,
        'text-wrap': 'ellipsis', 'text-max-width': 130, 'width': 22, 'height': 22,
        'background-color': '#a0aec0', 'border-width': 1, 'border-color': '#fff',
        'text-background-color': '#ffffff', 'text-background-opacity': 0.75, 'text-background-padding': 1
      } },
      { selector: 'node.center', style: { 'width': 38, 'height': 38, 'font-size': 14, 'font-weight': 'bold', 'border-width': 3, 'border-color': '#1a202c', 'text-max-width': 260 } },
      { selector: 'edge', style: {
        'width': 1.5, 'line-color': '#a0aec0', 'target-arrow-color': '#a0aec0', 'target-arrow-shape': 'triangle',
        'arrow-scale': 0.8, 'curve-style': 'bezier', 'label': 'data(label)', 'font-family': font,
        'font-size': 9, 'color': '#4a5568', 'text-rotation': 'autorotate',
        'text-background-color': '#ffffff', 'text-background-opacity': 0.8, 'text-background-padding': 1
      } },
      { selector: 'edge.plain', style: { 'line-style': 'dashed', 'target-arrow-shape': 'none' } },
      { selector: 'node.minor', style: { 'min-zoomed-font-size': 13 } },
      { selector: 'edge.quiet', style: { 'label': '' } },
      { selector: 'node:selected', style: { 'border-color': '#e53e3e', 'border-width': 3 } }
    ];
    Object.keys(KINDS).forEach(function (k) {
      style.push({ selector: 'node.' + k, style: { 'background-color': KINDS[k].color, 'shape': KINDS[k].shape } });
    });
    RELATION_KINDS.forEach(function (r) {
      style.push({ selector: 'edge.' + r.id, style: { 'line-color': r.color, 'target-arrow-color': r.color } });
    });
    return style;
  }
  function drawGraph(title, nodes, edges, layout) {
    $('graph-title').textContent = title;
    if (typeof cytoscape !== 'function') {
      showError('the graph library did not load');
      return;
    }
    if (cy) cy.destroy();
    cy = cytoscape({
      container: $('graph'),
      elements: nodes.concat(edges),
      style: graphStyle(),
      layout: layout,
      minZoom: 0.1,
      maxZoom: 4,
      wheelSensitivity: 0.3
    });
    // A handful of nodes would otherwise be blown up to fill the view.
    if (cy.zoom() > 1.3) { cy.zoom(1.3); cy.center(); }
    cy.on('tap', 'node', function (evt) {
      var iri = evt.target.id();
      if (isEntity(iri)) location.hash = profileHref(iri);
    });
    window.govkgGraph = cy;
  }
  function clearGraph(title) { drawGraph(title, [], [], { name: 'grid' }); }
  function node(iri, extraClass) {
    var kind = kindOf(iri);
    return { group: 'nodes', data: { id: iri, label: labelOf(iri), kind: kind }, classes: (kind || '') + (extraClass ? ' ' + extraClass : '') };
  }
  // The relation between two entities of a result row, from a relation column or from their kinds.
  function inferRelation(a, b, rowRelation) {
    var ka = kindOf(a), kb = kindOf(b);
    if (kb === 'agency' && ka !== 'agency') return inferRelation(b, a, rowRelation);
    if (ka === 'agency' && rowRelation && RELATIONS[rowRelation]) return { source: a, target: b, rel: rowRelation };
    for (var i = 0; i < RELATION_KINDS.length; i++) {
      var r = RELATION_KINDS[i];
      if (ka === r.from && kb === r.to) return { source: a, target: b, rel: r.id };
    }
    if (kb === 'place' && ka !== 'place') return { source: a, target: b, rel: 'jurisdiction' };
    if (ka === 'place' && kb !== 'place') return { source: b, target: a, rel: 'jurisdiction' };
    return { source: a, target: b, rel: null };
  }
  function edge(source, target, rel) {
    var label = rel && RELATIONS[rel] ? RELATIONS[rel].out : '';
    return { group: 'edges', data: { id: source + '→' + target + '|' + (rel || ''), source: source, target: target, label: label }, classes: rel || 'plain' };
  }
  function renderResultGraph(json) {
    var vars = json.head.vars;
    var nodes = {}, edges = {};
    var relationVar = vars.indexOf('relation') >= 0 ? 'relation' : null;
    json.results.bindings.forEach(function (b) {
      var iris = [];
      vars.forEach(function (v) {
        var cell = b[v];
        if (cell && cell.type === 'uri' && isEntity(cell.value) && iris.indexOf(cell.value) < 0) iris.push(cell.value);
      });
      iris.forEach(function (iri) {
        if (!nodes[iri] && Object.keys(nodes).length < MAX_NODES) nodes[iri] = node(iri);
      });
      var rowRelation = relationVar && b[relationVar] ? b[relationVar].value : null;
      for (var i = 0; i < iris.length; i++) {
        for (var j = i + 1; j < iris.length; j++) {
          if (!nodes[iris[i]] || !nodes[iris[j]]) continue;
          var r = inferRelation(iris[i], iris[j], rowRelation);
          var e = edge(r.source, r.target, r.rel);
          edges[e.data.id] = e;
        }
      }
    });
    var nodeList = Object.keys(nodes).map(function (k) { return nodes[k]; });
    var edgeList = Object.keys(edges).map(function (k) { return edges[k]; });
    var big = nodeList.length > 40;
    if (big) {
      // Many nodes: name the hubs, let the leaves' names appear when zooming in, drop edge labels.
      var degree = {};
      edgeList.forEach(function (e) {
        degree[e.data.source] = (degree[e.data.source] || 0) + 1;
        degree[e.data.target] = (degree[e.data.target] || 0) + 1;
      });
      nodeList.forEach(function (n) { if ((degree[n.data.id] || 0) < 2) n.classes += ' minor'; });
      edgeList.forEach(function (e) { e.classes += ' quiet'; });
    }
    var layout = edgeList.length
      ? {
        name: 'cose', animate: false, randomize: false, padding: 20, componentSpacing: 60,
        nodeRepulsion: function () { return big ? 60000 : 12000; },
        idealEdgeLength: function () { return big ? 50 : 80; },
        edgeElasticity: function () { return 80; }, gravity: 0.6, numIter: 1500, nodeOverlap: 12
      }
      : { name: 'grid', padding: 20 };
    drawGraph('结果图 Result graph · ' + nodeList.length + ' nodes', nodeList, edgeList, layout);
  }

  // ------------------------------------------------------------------ network
  // The drawing graph of `govkg export` (GET /network, at most 150 nodes unless max-nodes says
  // otherwise), filtered as the hash says: #/network?year=2024&place=东丽区&kind=agency,initiative
  function showNetwork(query) {
    showView('results');
    showError('');
    setStatus('network…');
    var started = Date.now();
    return fetchText('/network?' + query).then(function (r) {
      var net = JSON.parse(r.text);
      var nodes = net.nodes.map(function (n) {
        return { group: 'nodes', data: { id: n.id, label: n.label, kind: n.kind }, classes: n.kind + (n.reports < 2 ? ' minor' : '') };
      });
      var edges = net.edges.map(function (e) {
        var x = edge(e.source, e.target, e.relation);
        x.classes += ' quiet';
        return x;
      });
      var layout = nodes.length > 1
        ? { name: 'cose', animate: false, randomize: false, padding: 20, numIter: 1000,
          nodeRepulsion: function () { return 60000; }, idealEdgeLength: function () { return 50; } }
        : { name: 'grid', padding: 20 };
      drawGraph('网络 Network · ' + nodes.length + ' nodes, ' + edges.length + ' edges', nodes, edges, layout);
      setStatus(net.note || ('network · ' + (Date.now() - started) + ' ms'));
    }).catch(function (e) { showError(e.message); setStatus(''); });
  }

  // ------------------------------------------------------------------ profile
  function showView(view) {
    state.view = view;
    $('results-view').hidden = view !== 'results';
    $('profile').hidden = view !== 'profile';
  }
  function showProfile(iri) {
    var seq = ++state.profileSeq;
    showView('profile');
    showError('');
    var box = $('profile');
    box.textContent = '';
    box.appendChild(el('p', { class: 'empty', text: '正在加载 loading ' + iri + ' …' }));
    return fetchText('/profile?iri=' + encodeURIComponent(iri)).then(function (r) {
      if (seq !== state.profileSeq) return;
      var p = JSON.parse(r.text);
      if (p.label) state.labels[p.iri] = p.label;
      (p.relations || []).forEach(function (rel) { if (rel.otherIri && rel.other) state.labels[rel.otherIri] = rel.other; });
      (p.links || []).forEach(function (l) { if (l.iri && l.label) state.labels[l.iri] = l.label; });
      (p.facts || []).forEach(function (f) { if (f.iri && f.label) state.labels[f.iri] = f.label; });
      renderProfile(p);
      renderProfileGraph(p);
    }).catch(function (e) {
      if (seq !== state.profileSeq) return;
      box.textContent = '';
      showError(e.message);
    });
  }

  function renderProfile(p) {
    var box = $('profile');
    box.textContent = '';
    var kind = CLASS_TO_KIND[p.kind] || kindOf(p.iri);
    var kindInfo = KINDS[kind];
    box.appendChild(el('a', { class: 'back', href: state.runHash || '#/', text: '← 返回查询结果 back to results' }));
    box.appendChild(el('h2', { 'data-iri': p.iri }, [
      p.label || labelFromIri(p.iri),
      el('span', { class: 'badge ' + (kind || ''), text: kindInfo ? kindInfo.zh + ' ' + kindInfo.en : (p.kind || '?') })
    ]));
    box.appendChild(el('div', { class: 'iri-text', text: p.iri }));

    box.appendChild(el('h3', { text: '名称 Names' }));
    var names = el('div', { class: 'names' });
    if (p.label) names.appendChild(el('span', { class: 'pref', title: 'skos:prefLabel', text: p.label }));
    (p.altLabels || []).forEach(function (a) { names.appendChild(el('span', { title: 'skos:altLabel', text: a })); });
    box.appendChild(names);

    var dl = el('dl');
    dl.appendChild(el('dt', { text: '类型 kind' }));
    dl.appendChild(el('dd', { text: (p.kinds || []).join(', ') || '—' }));
    (p.facts || []).forEach(function (f) {
      dl.appendChild(el('dt', { text: FACT_NAMES[f.name] || f.name }));
      var dd = el('dd');
      if (f.iri && isEntity(f.iri)) dd.appendChild(entityLink(f.iri, f.label));
      else dd.appendChild(document.createTextNode(f.label || String(f.value)));
      dl.appendChild(dd);
    });
    box.appendChild(el('h3', { text: '属性 Attributes' }));
    box.appendChild(dl);

    var relations = p.relations || [];
    box.appendChild(el('h3', { text: '关系 Relations (' + relations.length + ')' }));
    if (!relations.length) {
      box.appendChild(el('p', { class: 'empty', text: '没有关系 no relations' }));
    } else {
      var table = el('table', { class: 'relations' });
      table.appendChild(el('thead', null, [el('tr', null, ['关系 relation', '对象 entity', '报告 report', '年度 year', '辖区 jurisdiction', '证据 evidence'].map(function (h) { return el('th', { text: h }); }))]));
      var tbody = el('tbody');
      relations.forEach(function (r) {
        var names = RELATIONS[r.relation] || { outText: r.relation + ' →', inText: '← ' + r.relation };
        var relText = r.direction === 'in' ? names.inText : names.outText;
        tbody.appendChild(el('tr', { 'data-direction': r.direction, 'data-relation': r.relation }, [
          el('td', { text: relText }),
          el('td', null, [r.otherIri && isEntity(r.otherIri) ? entityLink(r.otherIri, r.other) : (r.other || '')]),
          el('td', { text: r.report || '' }),
          el('td', { text: r.year === null || r.year === undefined ? '' : String(r.year) }),
          el('td', { text: r.jurisdiction || '' }),
          el('td', { class: 'evidence', text: r.evidence || '' })
        ]));
      });
      table.appendChild(tbody);
      box.appendChild(table);
    }

    var links = p.links || [];
    if (links.length) {
      box.appendChild(el('h3', { text: '其他关联 Other links (' + links.length + ')' }));
      var ul = el('ul');
      links.forEach(function (l) {
        var names = RELATIONS[l.name] || { inText: l.name };
        var isReport = typeof l.iri === 'string' && l.iri.indexOf(REPORT_PREFIX) === 0;
        var what = isReport ? (l.name === 'creator' ? '撰写的报告 report written' : '报告 report') : names.inText;
        ul.appendChild(el('li', null, [what + ': ', l.iri && isEntity(l.iri) ? entityLink(l.iri, l.label) : (l.label || l.iri)]));
      });
      box.appendChild(ul);
    }

    var reports = p.reports || [];
    box.appendChild(el('h3', { text: '提及 Mentioned in (' + reports.length + ' reports)' }));
    if (reports.length) {
      var rt = el('table');
      rt.appendChild(el('thead', null, [el('tr', null, ['报告 report', '标题 title', '年度 year', '提及次数 mentions'].map(function (h) { return el('th', { text: h }); }))]));
      var rb = el('tbody');
      reports.forEach(function (r) {
        rb.appendChild(el('tr', null, [
          el('td', { text: r.report || '' }), el('td', { text: r.title || '' }),
          el('td', { text: r.year === null || r.year === undefined ? '' : String(r.year) }),
          el('td', { text: String(r.mentions) })
        ]));
      });
      rt.appendChild(rb);
      box.appendChild(rt);
    }
  }

  function renderProfileGraph(p) {
    var center = p.iri;
    var nodes = {}, edges = {};
    nodes[center] = node(center, 'center');
    function add(other, source, target, rel) {
      if (!isEntity(other) || other === center) return;
      if (!nodes[other]) {
        if (Object.keys(nodes).length >= MAX_NODES) return;
        nodes[other] = node(other);
      }
      var e = edge(source, target, rel);
      edges[e.data.id] = e;
    }
    (p.relations || []).forEach(function (r) {
      if (r.direction === 'in') add(r.otherIri, r.otherIri, center, r.relation);
      else add(r.otherIri, center, r.otherIri, r.relation);
    });
    (p.facts || []).forEach(function (f) {
      if (!f.iri) return;
      if (f.name === 'creator') add(f.iri, f.iri, center, 'issued');
      else if (f.name === 'jurisdiction') add(f.iri, center, f.iri, f.name);
    });
    (p.links || []).forEach(function (l) {
      if (!l.iri) return;
      if (l.name === 'creator') add(l.iri, center, l.iri, 'issued');
      else add(l.iri, l.iri, center, l.name);
    });
    var nodeList = Object.keys(nodes).map(function (k) { return nodes[k]; });
    var edgeList = Object.keys(edges).map(function (k) { return edges[k]; });
    // The entity in the centre, its neighbours on concentric rings filled from the inside, grouped
    // by kind, spaced so that neighbouring labels hardly overlap.
    var kindOrder = Object.keys(KINDS);
    var others = nodeList.filter(function (n) { return n.data.id !== center; });
    others.sort(function (a, b) {
      return kindOrder.indexOf(a.data.kind) - kindOrder.indexOf(b.data.kind) || (a.data.label < b.data.label ? -1 : 1);
    });
    var positions = {};
    positions[center] = { x: 0, y: 0 };
    var placed = 0, ring = 0;
    while (placed < others.length) {
      var radius = 170 + ring * 110;
      var capacity = Math.max(6, Math.floor(2 * Math.PI * radius / 90));
      var count = Math.min(capacity, others.length - placed);
      var offset = ring % 2 ? Math.PI / count : 0;
      for (var i = 0; i < count; i++) {
        var angle = -Math.PI / 2 + offset + i * 2 * Math.PI / count;
        positions[others[placed + i].data.id] = { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
      }
      placed += count;
      ring += 1;
    }
    if (edgeList.length > 20) edgeList.forEach(function (e) { e.classes += ' quiet'; });
    var layout = { name: 'preset', positions: positions, fit: true, padding: 30 };
    drawGraph('实体图 Entity graph · ' + (p.label || labelFromIri(center)) + ' · ' + (nodeList.length - 1) + ' neighbours', nodeList, edgeList, layout);
  }

  // ------------------------------------------------------------------ search
  // Names of entities (preferred and other names, substring) from GET /search, as the user types;
  // nothing is sent while an input method is still composing a Chinese word.
  var searchTimer = null;
  function scheduleSearch() {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 200);
  }
  function runSearch() {
    var q = $('search').value.trim();
    var seq = ++state.searchSeq;
    var list = $('search-results');
    if (!q) {
      list.textContent = '';
      list.hidden = true;
      return Promise.resolve();
    }
    return fetchText('/search?q=' + encodeURIComponent(q) + '&limit=' + SEARCH_LIMIT).then(function (r) {
      if (seq === state.searchSeq) renderSearch(JSON.parse(r.text));
    }).catch(function (e) {
      if (seq !== state.searchSeq) return;
      list.textContent = '';
      list.appendChild(el('li', { class: 'empty', text: e.message }));
      list.hidden = false;
    });
  }
  function searchItem(m, query) {
    state.labels[m.iri] = m.label;
    var kind = KINDS[m.kind];
    // Other names are shown when the preferred one does not contain what was typed.
    var also = m.label.toLowerCase().indexOf(query.toLowerCase()) < 0 && m.matched.length
      ? el('span', { class: 'also', text: '（' + m.matched.slice(0, 3).join('、') + '）' }) : null;
    return el('li', { 'data-iri': m.iri, role: 'option' }, [
      el('a', { href: profileHref(m.iri), class: 'entity kind-' + m.kind, title: m.iri, text: m.label }),
      also,
      el('span', { class: 'badge ' + m.kind, text: kind ? kind.zh : m.kind }),
      el('span', { class: 'count', text: m.reports + ' 份报告 reports' })
    ]);
  }
  function renderSearch(answer) {
    var list = $('search-results');
    list.textContent = '';
    answer.results.forEach(function (m) { list.appendChild(searchItem(m, answer.query)); });
    if (!answer.results.length) {
      list.appendChild(el('li', { class: 'empty', text: '没有名称包含“' + answer.query + '”的实体 no entity has such a name' }));
    } else if (answer.results.length >= answer.limit) {
      list.appendChild(el('li', { class: 'more', text: '只列出前 ' + answer.limit + ' 个 the first ' + answer.limit + ' only: type more to narrow' }));
    }
    list.hidden = false;
  }
  function moveSearchSelection(step) {
    var items = Array.prototype.slice.call(document.querySelectorAll('#search-results li[data-iri]'));
    if (!items.length) return;
    var at = items.findIndex(function (li) { return li.classList.contains('active'); });
    items.forEach(function (li) { li.classList.remove('active'); });
    var next = items[(at + step + items.length) % items.length];
    next.classList.add('active');
    next.scrollIntoView({ block: 'nearest' });
  }
  function searchKeys(e) {
    var list = $('search-results');
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      list.hidden = false;
      moveSearchSelection(e.key === 'ArrowDown' ? 1 : -1);
    } else if (e.key === 'Enter' && !e.isComposing) {
      var chosen = list.querySelector('li.active[data-iri]') || list.querySelector('li[data-iri]');
      if (chosen) {
        e.preventDefault();
        list.hidden = true;
        location.hash = profileHref(chosen.getAttribute('data-iri'));
      }
    } else if (e.key === 'Escape') {
      list.hidden = true;
    }
  }
  function initSearch() {
    var input = $('search'), list = $('search-results');
    var composing = false;
    input.addEventListener('compositionstart', function () { composing = true; });
    input.addEventListener('compositionend', function () { composing = false; scheduleSearch(); });
    input.addEventListener('input', function () { if (!composing) scheduleSearch(); });
    input.addEventListener('keydown', searchKeys);
    input.addEventListener('focus', function () { if (list.childNodes.length) list.hidden = false; });
    list.addEventListener('click', function (e) { if (e.target.closest('a')) list.hidden = true; });
    document.addEventListener('click', function (e) { if (!e.target.closest('.search')) list.hidden = true; });
  }

  // ------------------------------------------------------------------ routing
  function route() {
    var hash = location.hash || '';
    var m = /^#\/entity\/(.+)$/.exec(hash);
    if (m) {
      var iri;
      try { iri = decodeURIComponent(m[1]); } catch (e) { iri = m[1]; }
      return showProfile(iri);
    }
    m = /^#\/network(?:\?(.*))?$/.exec(hash);
    if (m) return showNetwork(m[1] || '');
    m = /^#\/query\/([\w-]+)$/.exec(hash);
    if (m && selectNamed(m[1], {})) return runQuery({ replace: true });
    m = /^#\/query\?(.*)$/.exec(hash);
    if (m) {
      // Back from a profile to the query that is already shown: no need to run it again.
      if (hash === state.runHash && state.lastResult) {
        showView('results');
        renderResultGraph(state.lastResult);
        return Promise.resolve();
      }
      return restoreQuery(m[1]);
    }
    showView('results');
    if (state.lastResult) renderResultGraph(state.lastResult);
    return Promise.resolve();
  }

  function init() {
    $('run').addEventListener('click', function () { runQuery(); });
    $('query').addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); runQuery(); }
    });
    $('show-iris').addEventListener('change', function () { if (state.lastResult) renderTable(state.lastResult); });
    $('fit').addEventListener('click', function () { if (cy) cy.fit(undefined, 20); });
    $('share').addEventListener('click', copyShareLink);
    initSearch();
    window.addEventListener('hashchange', route);
    clearGraph('图 Graph');
    loadKinds().then(loadNamedQueries).then(route).then(function () { state.ready = true; document.body.setAttribute('data-ready', 'true'); });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
