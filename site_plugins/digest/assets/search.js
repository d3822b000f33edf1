/* The digest's search (`search: pagefind`): the header's box, results as you type, facets with
   counts, and the /search/ page, whose address (?q=, &topic=, &country=, &year=) holds the search
   so that it can be shared.

   This script itself, then Pagefind's script and index, are fetched only when a reader starts to
   search (focus or a key in a search box, or the search page: theme/main.html loads it), so a
   story page loads neither. The index is in parts
   (pagefind/<part>/, listed newest first in pagefind/parts.json: one per year of stories, or one
   for all), which Pagefind searches as one. Every text that comes from the index goes into the
   page as text; Pagefind's excerpt is rebuilt from its text and its <mark> elements only. Material's own search is off in this mode: its markup is not on the page,
   so its bundle binds nothing and fetches no index. */
(function () {
  "use strict";

  // Messages in the page's language: English here, translations (from the site's catalogue,
  // i18n.py) in the page's <script data-dg-strings>, which an English page does not have.
  var island = document.querySelector("script[data-dg-strings]");
  var strings = island ? JSON.parse(island.textContent) : {messages: {}, digits: ""};
  var pluralRules = new Intl.PluralRules(document.documentElement.lang || "en");

  function _(message) {
    var found = strings.messages[message];
    return typeof found === "string" && found ? found : message;
  }

  function ngettext(one, many, count) {
    var found = strings.messages[one];
    var text = found && typeof found === "object" ? found[pluralRules.select(count)] || found.other : null;
    return format(text || (count === 1 ? one : many), {num: digits(count)});
  }

  function format(message, values) {
    return message.replace(/%\((\w+)\)s/g, function (all, name) { return name in values ? values[name] : all; });
  }

  function digits(value) {
    var table = strings.digits;
    return table ? String(value).replace(/[0-9]/g, function (d) { return table.charAt(+d); }) : String(value);
  }

  var header = document.querySelector("[data-dg-search]");
  if (!header) return;

  // Filters in the order they are shown; their names are the data-pagefind-filter names.
  var FACETS = [
    // Translators: "phrase" joins the chosen values to a result count: "3 stories about Refugees".
    {name: "topic", legend: _("Topic"), phrase: _("about")},
    {name: "country", legend: _("Country"), phrase: _("in")},
    {name: "year", legend: _("Year"), phrase: _("from")},
  ];
  var FACET_PREVIEW = 8;     // values shown before "Show all"
  var HEADER_RESULTS = 8;    // results in the header's panel, then a link to the search page
  var PAGE_RESULTS = 10;     // results on the search page, and per "More results"
  var DEBOUNCE_MS = 200;
  var MIN_LETTERS = 2;       // one letter would fetch the index of every word it starts
  // Pagefind 1.5 leaves its weight marker in a meta value taken from an element that wraps a heading.
  var WEIGHT_MARKER = /\.?\s*___END_PAGEFIND_WEIGHT___\s*$/;

  var pagefindBase = new URL(header.getAttribute("data-dg-pagefind"), document.baseURI);
  var siteRoot = new URL("../", pagefindBase);
  var language = document.documentElement.lang || "en";
  // Gregorian, as on the pages (CLDR's default; a browser may default fa-AF to the Solar Hijri calendar).
  var months = new Intl.DateTimeFormat(language, {month: "long", timeZone: "UTC", calendar: "gregory"});

  // --- Pagefind, loaded once, on first use ---------------------------------------------------

  // Each part's pages carry this filter with the part's name (Pagefind's `mergeFilter`). Parts are
  // years, so it is the year facet too: no year filter of its own to download (search.py).
  var PART_FILTER = "_part";
  var YEAR = "year";
  var loading = null;

  function pagefind() {
    if (!loading) {
      var script = import(new URL("pagefind.js", pagefindBase).href);
      // parts.json changes when a part does: always asked for afresh (an unchanged one costs a 304).
      var list = fetch(new URL("parts.json", pagefindBase).href, {cache: "no-cache"}).then(function (response) {
        if (!response.ok) throw new Error("pagefind/parts.json: HTTP " + response.status);
        return response.json();
      });
      loading = Promise.all([script, list]).then(function (loaded) {
        return merge(loaded[0], loaded[1].parts);
      });
      loading.catch(function () {
        loading = null;  // try again on the next search, from the start
        script.then(function (module) { return module.destroy(); }).catch(function () {});
      });
    }
    return loading;
  }

  // The newest part is Pagefind's primary index (its WebAssembly searches every part); the others
  // are merged into it once it is ready. Results link under the site's own path, whatever folder it
  // is served from. No worker: one script less to fetch, and a search takes milliseconds.
  function merge(module, parts) {
    if (!parts.length) return Promise.resolve(new Parts(null, []));
    function options(part) {
      var filter = {};
      filter[PART_FILTER] = part.name;
      return {baseUrl: siteRoot.pathname, excerptLength: 26, metaCacheTag: part.tag, mergeFilter: filter};
    }
    function folder(part) { return new URL(part.name + "/", pagefindBase).pathname; }
    var primary = options(parts[0]);
    primary.basePath = folder(parts[0]);
    primary.noWorker = true;
    return module.options(primary).then(function () {
      // An empty search loads nothing but the primary index, and fails if it cannot load (merging
      // into a primary that never loads would wait for ever).
      return module.search("");
    }).then(function () {
      return Promise.all(parts.slice(1).map(function (part) {
        return module.mergeIndex(folder(part), options(part));
      }));
    }).then(function () { return new Parts(module, parts); });
  }

  // The merged index as the search views use it: Pagefind's search and filters without the part
  // filter, and a sorted search made part by part, newest part first. Pagefind sorts each part on
  // its own and would interleave the parts' lists by rank.
  function Parts(module, parts) {
    this.module = module;
    this.parts = parts;
  }

  Parts.prototype.filters = function () {
    if (!this.module) return Promise.resolve({});
    return this.module.filters().then(partAsYear);
  };

  Parts.prototype.search = function (words, options) {
    var module = this.module;
    if (!module) return Promise.resolve({results: [], filters: {}});
    if (!options.sort || this.parts.length < 2) {
      return module.search(words, options).then(function (search) {
        partAsYear(search.filters);
        return search;
      });
    }
    var years = (options.filters || {})[PART_FILTER];
    var parts = this.parts.filter(function (part) { return !years || years.any.indexOf(part.name) >= 0; });
    return Promise.all(parts.map(function (part) {
      var filters = Object.assign({}, options.filters);
      filters[PART_FILTER] = {any: [part.name]};
      return module.search(words, Object.assign({}, options, {filters: filters}));
    })).then(function (searches) {
      var counts = {};
      searches.forEach(function (search) { addCounts(counts, partAsYear(search.filters)); });
      return {
        results: [].concat.apply([], searches.map(function (search) { return search.results; })),
        filters: counts,
      };
    });
  };

  // The part filter's counts under the year facet's name (a single part, "all", is no year).
  function partAsYear(filters) {
    if (!filters) return filters;
    var parts = filters[PART_FILTER] || {};
    delete filters[PART_FILTER];
    var years = {};
    Object.keys(parts).forEach(function (name) { if (/^\d{4}$/.test(name)) years[name] = parts[name]; });
    if (Object.keys(years).length) filters[YEAR] = years;
    return filters;
  }

  function addCounts(total, counts) {
    Object.keys(counts || {}).forEach(function (name) {
      var values = total[name] = total[name] || {};
      Object.keys(counts[name]).forEach(function (value) {
        values[value] = (values[value] || 0) + counts[name][value];
      });
    });
  }

  var totals = null;  // every filter value with its number of stories, fetched once

  function allFilters() {
    if (!totals) {
      totals = pagefind().then(function (module) { return module.filters(); });
      totals.catch(function () { totals = null; });
    }
    return totals;
  }

  // --- Small helpers ----------------------------------------------------------------------------

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }


  function longDate(iso) {
    var match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    if (!match) return "";
    var date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
    return digits(date.getUTCDate()) + " " + months.format(date) + " " + digits(date.getUTCFullYear());
  }

  function cleanTitle(title) {
    return (title || "").replace(WEIGHT_MARKER, "").trim();
  }

  // Pagefind's excerpt is the page's text with < and > escaped and the matches in <mark>: it is
  // parsed in an inert document and only its text and its marks are copied.
  function appendExcerpt(parent, html) {
    var parsed = new DOMParser().parseFromString(html, "text/html").body;
    parsed.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") parent.append(element("mark", "", node.textContent));
      else parent.append(document.createTextNode(node.textContent));
    });
  }

  function pagefindFilters(chosen) {
    var filters = {};
    Object.keys(chosen).forEach(function (name) { filters[name === YEAR ? PART_FILTER : name] = {any: chosen[name]}; });
    return filters;
  }

  function searchAddress(words, chosen) {
    var params = new URLSearchParams();
    if (words) params.append("q", words);
    FACETS.forEach(function (facet) {
      (chosen[facet.name] || []).forEach(function (value) { params.append(facet.name, value); });
    });
    var query = params.toString();
    return new URL("search/" + (query ? "?" + query : ""), siteRoot).href;
  }

  // --- One result ---------------------------------------------------------------------------------

  function hit(data, words, heading) {
    var item = element("li", "dg-hit");
    var title = element(heading || "p", "dg-hit__title");
    var link = element("a", "", cleanTitle(data.meta.title));
    link.href = data.url;
    title.append(link);
    item.append(title);
    if (data.meta.date) {
      var meta = element("p", "dg-hit__meta");
      var time = element("time", "", longDate(data.meta.date));
      time.dateTime = data.meta.date;
      meta.append(time);
      item.append(meta);
    }
    var text = element("p", "dg-hit__excerpt");
    if (words && data.excerpt) appendExcerpt(text, data.excerpt);
    else text.textContent = data.meta.summary || "";
    item.append(text);
    var chips = element("ul", "dg-chips dg-hit__chips");
    chips.setAttribute("aria-label", _("Topics and countries"));
    ((data.filters || {}).topic || []).forEach(function (value) {
      var chip = element("li");
      chip.append(element("span", "dg-chip dg-chip--topic", value));
      chips.append(chip);
    });
    // "<flag> <name>|<flag> <name>" (templates/story.html): each country with its flag, as on the page.
    (data.meta.countries || "").split("|").forEach(function (entry) {
      var at = entry.trim().indexOf(" ");
      if (at < 0) return;
      var chip = element("li");
      var label = element("span", "dg-chip dg-chip--country");
      var flag = element("span", "dg-flag", entry.trim().slice(0, at));
      flag.setAttribute("aria-hidden", "true");
      label.append(flag, document.createTextNode(" " + entry.trim().slice(at + 1)));
      chip.append(label);
      chips.append(chip);
    });
    if (chips.children.length) item.append(chips);
    return item;
  }

  // --- Facets: one fieldset of checkboxes per filter --------------------------------------------
  // Values of one filter widen the results (any of them), filters narrow them (all of them). Each
  // count says how many results there would be with that value ticked.

  function Facets(container, onChange) {
    this.container = container;
    this.onChange = onChange;
    this.boxes = {};     // name -> [checkbox]
    this.built = false;
    this.wanted = {};    // chosen before the facets existed (from the address)
  }

  Facets.prototype.build = function (all) {
    var self = this;
    FACETS.forEach(function (facet) {
      var values = Object.keys(all[facet.name] || {});
      if (!values.length) return;
      if (facet.name === "year") values.sort().reverse();
      else values.sort(function (a, b) { return all[facet.name][b] - all[facet.name][a] || a.localeCompare(b); });
      var fieldset = element("fieldset", "dg-facet");
      fieldset.append(element("legend", "dg-facet__legend", facet.legend));
      var list = element("ul", "dg-facet__values");
      self.boxes[facet.name] = values.map(function (value) {
        var item = element("li", "dg-facet__value");
        var label = element("label", "dg-facet__label");
        var box = element("input", "dg-facet__box");
        box.type = "checkbox";
        box.name = facet.name;
        box.value = value;
        box.checked = (self.wanted[facet.name] || []).indexOf(value) >= 0;
        box.addEventListener("change", function () { self.onChange(); });
        var count = element("span", "dg-facet__count");
        label.append(box, element("span", "dg-facet__name", value), count);
        item.append(label);
        list.append(item);
        return box;
      });
      fieldset.append(list);
      if (values.length > FACET_PREVIEW) {
        var more = element("button", "dg-facet__more");
        more.type = "button";
        more.setAttribute("aria-expanded", "false");
        more.addEventListener("click", function () {
          var open = fieldset.classList.toggle("dg-facet--open");
          more.setAttribute("aria-expanded", String(open));
          self.trim(fieldset, facet.name);
        });
        fieldset.append(more);
      }
      self.container.append(fieldset);
    });
    this.built = true;
    this.container.hidden = false;
  };

  Facets.prototype.chosen = function () {
    if (!this.built) return this.wanted;
    var chosen = {};
    var boxes = this.boxes;
    Object.keys(boxes).forEach(function (name) {
      var values = boxes[name].filter(function (box) { return box.checked; })
        .map(function (box) { return box.value; });
      if (values.length) chosen[name] = values;
    });
    return chosen;
  };

  Facets.prototype.choose = function (chosen) {
    this.wanted = chosen;
    var boxes = this.boxes;
    Object.keys(boxes).forEach(function (name) {
      boxes[name].forEach(function (box) { box.checked = (chosen[name] || []).indexOf(box.value) >= 0; });
    });
  };

  // Values without results are hidden (unless ticked); a long list shows its first few.
  Facets.prototype.show = function (counts) {
    var self = this;
    Object.keys(this.boxes).forEach(function (name) {
      var values = counts[name] || {};
      self.boxes[name].forEach(function (box) {
        var count = values[box.value] || 0;
        var item = box.closest(".dg-facet__value");
        item.querySelector(".dg-facet__count").textContent = count;
        item.hidden = count === 0 && !box.checked;
      });
      self.trim(self.boxes[name][0].closest(".dg-facet"), name);
    });
  };

  Facets.prototype.trim = function (fieldset, name) {
    var open = fieldset.classList.contains("dg-facet--open");
    var shown = 0;
    var available = 0;
    this.boxes[name].forEach(function (box) {
      var item = box.closest(".dg-facet__value");
      if (item.hidden) return;
      available += 1;
      shown += 1;
      item.classList.toggle("dg-facet__value--extra", !open && shown > FACET_PREVIEW && !box.checked);
    });
    var more = fieldset.querySelector(".dg-facet__more");
    if (more) {
      more.hidden = available <= FACET_PREVIEW;
      more.textContent = open ? _("Show fewer") : format(_("Show all %(num)s"), {num: digits(available)});
    }
  };

  // --- A search view: words, facets, status and results ---------------------------------------

  function SearchView(options) {
    var self = this;
    this.input = options.input;
    this.region = options.region;              // [data-dg-results]; aria-busy while searching
    this.status = this.region.querySelector(".dg-search__status");
    this.list = this.region.querySelector(".dg-hits");
    this.limit = options.limit;                // results shown at once
    this.heading = options.heading;
    this.idle = options.idle;
    this.onSearched = options.onSearched || function () {};
    this.filters = options.filters;            // <details> around the facets, opened on demand
    this.facets = new Facets(this.filters.querySelector("[data-dg-facets]"), function () { self.run(); });
    this.filters.hidden = false;
    this.filters.addEventListener("toggle", function () {
      if (self.filters.open) self.loadFacets();
    });
    this.sequence = 0;
    this.timer = 0;
    this.current = null;                       // {search, words, chosen, shown}
    this.more = this.region.querySelector(".dg-search__more");
    if (this.more) {
      this.more.querySelector("button").addEventListener("click", function () {
        self.next(self.sequence).catch(function () {
          self.status.textContent = _("More results could not be loaded.");
          self.busy(false);
        });
      });
    }
    this.all = this.region.querySelector(".dg-search__all");
  }

  // Busy from the first key on: the results on screen are for older words until the search runs.
  SearchView.prototype.schedule = function () {
    var self = this;
    this.busy(true);
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.run(); }, DEBOUNCE_MS);
  };

  // The facets, once; then the search again with them (or, if they cannot load, without them:
  // the search then says why).
  SearchView.prototype.loadFacets = function () {
    var self = this;
    if (!this.facetsLoading) {
      this.facetsLoading = allFilters().then(function (all) {
        if (!self.facets.built) self.facets.build(all);
      }).catch(function () {
        self.facetsLoading = null;
      }).then(function () {
        return self.run();
      });
    }
    return this.facetsLoading;
  };

  SearchView.prototype.busy = function (busy) {
    this.region.setAttribute("aria-busy", String(busy));
  };

  SearchView.prototype.run = function () {
    var self = this;
    clearTimeout(this.timer);
    var sequence = ++this.sequence;
    var words = this.input.value.trim();
    var chosen = this.facets.chosen();
    var filtered = Object.keys(chosen).length > 0;
    this.onSearched(words, chosen, filtered);
    if (this.all) {
      this.all.querySelector("a").href = searchAddress(words, chosen);
    }
    if (words.length < MIN_LETTERS && !filtered) {
      this.current = null;
      this.list.replaceChildren();
      if (this.more) this.more.hidden = true;
      if (this.all) this.all.hidden = true;
      this.status.textContent = this.idle;
      if (this.facets.built) {
        allFilters().then(function (all) {
          if (sequence === self.sequence) self.facets.show(all);
        }).catch(function () {});
      }
      this.busy(false);
      return Promise.resolve();
    }
    this.busy(true);
    return pagefind().then(function (module) {
      var options = {filters: pagefindFilters(chosen)};
      if (!words) options.sort = {date: "desc"};  // a filter alone: newest first
      return module.search(words || null, options).then(function (search) {
        if (sequence !== self.sequence) return null;
        var counting = self.facets.built ? self.counts(module, words, chosen, search) : Promise.resolve(null);
        return counting.then(function (counts) {
          if (sequence !== self.sequence) return null;
          if (counts) self.facets.show(counts);
          self.current = {search: search, words: words, chosen: chosen, shown: 0};
          self.list.replaceChildren();
          self.status.textContent = self.describe(search.results.length, words, chosen);
          return self.next(sequence);
        });
      });
    }).catch(function (error) {
      if (sequence !== self.sequence) return;
      self.status.textContent = location.protocol === "file:"
        ? _("Search needs the site served over http(s); it does not work from a file.")
        : _("Search is not available right now.");
      self.busy(false);
      if (window.console) console.warn("digest search:", error);
    });
  };

  // Counts for each filter: with its own values left out when some are ticked, so that ticking
  // another one shows how many results it adds.
  SearchView.prototype.counts = function (module, words, chosen, search) {
    var jobs = FACETS.map(function (facet) {
      if (!chosen[facet.name]) return Promise.resolve(search.filters[facet.name] || {});
      var others = {};
      Object.keys(chosen).forEach(function (name) { if (name !== facet.name) others[name] = chosen[name]; });
      if (!words && !Object.keys(others).length) {
        return allFilters().then(function (all) { return all[facet.name] || {}; });
      }
      return module.search(words || null, {filters: pagefindFilters(others)})
        .then(function (wider) { return wider.filters[facet.name] || {}; });
    });
    return Promise.all(jobs).then(function (found) {
      var counts = {};
      FACETS.forEach(function (facet, index) { counts[facet.name] = found[index]; });
      return counts;
    });
  };

  SearchView.prototype.describe = function (count, words, chosen) {
    var what = words ? format(_(" for \u201c%(words)s\u201d"), {words: words}) : "";
    FACETS.forEach(function (facet) {
      if (chosen[facet.name]) what += " " + facet.phrase + " " + chosen[facet.name].join(_(" or "));
    });
    if (!count) return format(_("No story found%(what)s. Try fewer words or filters."), {what: what});
    return format(ngettext("%(num)s story%(what)s", "%(num)s stories%(what)s", count), {what: what}) +
      (words ? "" : _(", newest first"));
  };

  SearchView.prototype.next = function (sequence) {
    var self = this;
    var current = this.current;
    if (!current || sequence !== this.sequence) return Promise.resolve();
    var results = current.search.results;
    var slice = results.slice(current.shown, current.shown + this.limit);
    this.busy(true);
    return Promise.all(slice.map(function (result) { return result.data(); })).then(function (pages) {
      if (sequence !== self.sequence) return;
      var first = null;
      pages.forEach(function (data) {
        var item = hit(data, current.words, self.heading);
        first = first || item;
        self.list.append(item);
      });
      current.shown += slice.length;
      var rest = results.length - current.shown;
      if (self.more) self.more.hidden = rest <= 0;
      if (self.all) {
        self.all.hidden = rest <= 0;
        self.all.querySelector("a").textContent = ngettext("All %(num)s result, with filters",
          "All %(num)s results, with filters", results.length);
      }
      // After "More results", keyboard focus moves on to the first new result.
      if (current.shown > slice.length && first) first.querySelector("a").focus();
      self.busy(false);
    });
  };

  // --- The header's box ----------------------------------------------------------------------------

  var toggle = document.getElementById("__search");  // Material's: checked = the box is open
  var headerInput = header.querySelector("input[name=q]");
  var headerForm = headerInput.form;
  var headerFilters = header.querySelector(".dg-search__filters");
  var headerView = new SearchView({
    input: headerInput,
    region: header.querySelector("[data-dg-results]"),
    filters: headerFilters,
    limit: HEADER_RESULTS,
    heading: "p",
    idle: _("Type to search every story"),
    // Until there are words, Tab goes from the box straight on to the page.
    onSearched: function (words, chosen, filtered) { headerFilters.hidden = !(words || filtered); },
  });
  headerFilters.hidden = true;

  function open() {
    if (toggle && !toggle.checked) toggle.checked = true;
    pagefind().catch(function () {});  // start fetching while the reader types
  }

  function close() {
    if (toggle) toggle.checked = false;
    if (document.activeElement && header.contains(document.activeElement)) document.activeElement.blur();
  }

  headerInput.addEventListener("focus", open);
  headerInput.addEventListener("input", function () { open(); headerView.schedule(); });
  headerForm.addEventListener("submit", function (event) {
    event.preventDefault();
    location.href = searchAddress(headerInput.value.trim(), headerView.facets.chosen());
  });
  headerForm.addEventListener("reset", function () {
    setTimeout(function () { headerInput.focus(); headerView.run(); }, 0);
  });
  if (toggle) {
    // The magnifier button (phones) and the overlay are labels of Material's toggle.
    toggle.addEventListener("change", function () {
      if (toggle.checked) headerInput.focus();
      else close();
    });
  }
  // Tabbing out of the open box closes it; a click outside lands on the overlay, which closes it too.
  header.addEventListener("focusout", function (event) {
    if (event.relatedTarget && !header.contains(event.relatedTarget)) close();
  });

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && (header.contains(document.activeElement) || (toggle && toggle.checked))) {
      event.preventDefault();
      close();
    } else if ((event.key === "/" || event.key === "s") && !typing(event.target)) {
      event.preventDefault();
      open();
      headerInput.focus();
      headerInput.select();
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && header.contains(event.target)) {
      // Up and down walk the input and the results' links.
      var stops = [headerInput].concat(Array.prototype.slice.call(header.querySelectorAll(".dg-hit__title a")));
      var at = stops.indexOf(event.target);
      if (at < 0) return;
      event.preventDefault();
      stops[(at + (event.key === "ArrowDown" ? 1 : stops.length - 1)) % stops.length].focus();
    }
  });

  // Loaded on first use: the reader may already be in the box, with words typed.
  if (document.activeElement === headerInput) open();
  if (headerInput.value.trim()) { open(); headerView.schedule(); }

  // --- The search page ------------------------------------------------------------------------------

  var pageForm = document.querySelector("[data-dg-search-page]");
  if (!pageForm) return;
  var pageInput = pageForm.querySelector("input[name=q]");
  var pageRegion = document.querySelector(".dg-search-results[data-dg-results]");
  var pageView = new SearchView({
    input: pageInput,
    region: pageRegion,
    filters: pageForm.querySelector(".dg-search__filters"),
    limit: PAGE_RESULTS,
    heading: "h2",
    idle: _("Type words, or choose a topic, country or year."),
    onSearched: function (words, chosen) {
      var address = searchAddress(words, chosen);
      if (address !== location.href) history.replaceState(null, "", address);
    },
  });
  pageRegion.hidden = false;

  var params = new URLSearchParams(location.search);
  var wanted = {};
  FACETS.forEach(function (facet) {
    var values = params.getAll(facet.name).filter(Boolean);
    if (values.length) wanted[facet.name] = values;
  });
  pageInput.value = params.get("q") || "";
  pageView.facets.choose(wanted);
  pageView.busy(true);
  pageInput.addEventListener("input", function () { pageView.schedule(); });
  pageForm.addEventListener("submit", function (event) {
    event.preventDefault();
    pageView.run();
  });
  // A shared search with filters opens the facets (which then run the search); any other, not yet:
  // their index is the largest part of a search.
  if (Object.keys(wanted).length) pageView.filters.open = true;
  else pageView.run();
})();
