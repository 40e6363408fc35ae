// govkg serve: the page. Vanilla JS over /sparql, /queries and /profile; cytoscape for the graph.
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

  var $ = function (id) { return document.getElementById(id); };
  var state = { queries: [], labels: {}, lastResult: null, runSeq: 0, profileSeq: 0, view: 'results', ready: false };
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
  function sparql(query) {
    return fetchText('/sparql', {
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
      rules.push('#profile .badge.' + k.id + ', .legend .' + k.id + '::before { background: ' + k.color + '; }');
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
      if (!$('query').value && state.queries.length) $('query').value = state.queries[0].text;
    }).catch(function (e) { showError('cannot load the named queries: ' + e.message); });
  }
  function runNamed(name) {
    var q = state.queries.filter(function (x) { return x.name === name; })[0];
    if (!q) return;
    $('query').value = q.text;
    Array.prototype.forEach.call(document.querySelectorAll('#named-queries button'), function (b) {
      b.classList.toggle('active', b.getAttribute('data-name') === name);
    });
    $('query-summary').textContent = q.summary + (q.parameters && q.parameters.length
      ? '  (parameter ?' + q.parameters.join(', ?') + ' unbound: all rows)' : '');
    if (location.hash && location.hash !== '#/') {
      history.pushState(null, '', '#/');
    }
    showView('results');
    runQuery();
  }

  // ------------------------------------------------------------------ running a query
  function runQuery() {
    var query = $('query').value;
    var seq = ++state.runSeq;
    var started = performance.now();
    showError('');
    setStatus('running…');
    $('run').disabled = true;
    showView('results');
    return sparql(query).then(function (r) {
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
        return resolveLabels(json).then(function () {
          if (seq !== state.runSeq) return;
          renderTable(json);
          renderResultGraph(json);
          setStatus(json.results.bindings.length + ' rows · ' + ms + ' ms');
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
    $('raw-output').hidden = false;
    $('raw-output').querySelector('pre').textContent = text;
    clearGraph('结果 Result');
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
    var head = el('tr', null, shown.map(function (v) {
      return el('th', { text: v, title: pairs[v] ? 'linked through ?' + pairs[v] : null });
    }));
    table.appendChild(el('thead', null, [head]));
    var body = el('tbody');
    json.results.bindings.slice(0, MAX_ROWS).forEach(function (b) {
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
            if (cell.type === 'literal' && cell.datatype && /#(integer|decimal|double)$/.test(cell.datatype)) td.className = 'num';
          }
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    if (json.results.bindings.length > MAX_ROWS) {
      setStatus('showing ' + MAX_ROWS + ' of ' + json.results.bindings.length + ' rows');
    }
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
    box.appendChild(el('a', { class: 'back', href: '#/', text: '← 返回查询结果 back to results' }));
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
    if (m) return runNamed(m[1]);
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
    window.addEventListener('hashchange', route);
    clearGraph('图 Graph');
    loadKinds().then(loadNamedQueries).then(route).then(function () { state.ready = true; document.body.setAttribute('data-ready', 'true'); });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
