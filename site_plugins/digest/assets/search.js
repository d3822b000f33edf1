/* The digest's search (`search: pagefind`): the header's box, results as you type, facets with
   counts, and the /search/ page, whose address (?q=, &topic=, &country=, &year=) holds the search
   so that it can be shared.

   This script itself, then Pagefind's script and index, are fetched only when a reader starts to
   search (focus or a key in a search box, or the search page: theme/main.html loads it), so a
   story page loads neither; the facets' data (each part's facet table) only when the filters open
   or the address holds one. The index is in parts
   (pagefind/<part>/, listed newest first in pagefind/parts.json: one per year of stories, or part
   of a year for a large one, or one for all), which Pagefind searches as one. Every text that comes from the index goes into the
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

  // Each part's pages carry this filter with the part's name (Pagefind's `mergeFilter`): a search
  // for every story of one part. A part lies within a year, so the part gives the year facet too.
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

  // The merged index as the search views use it: Pagefind's search, without filters, or (words
  // left out) every story, newest first: newest part first, and in each part the highest page
  // number first, since search.py numbers a part's pages in date order (and leaves out Pagefind's
  // date sort, whose list of every page weighs 10 KB a part). Filters and their counts come from
  // the parts' facet tables (below), not from Pagefind.
  function Parts(module, parts) {
    this.module = module;
    this.parts = parts;
    this.loadingTables = null;
  }

  Parts.prototype.search = function (words) {
    var module = this.module;
    if (!module) return Promise.resolve([]);
    if (words) return module.search(words).then(function (search) { return search.results; });
    return Promise.all(this.parts.map(function (part) {
      var filters = {};
      filters[PART_FILTER] = {any: [part.name]};
      return module.search(null, {filters: filters});
    })).then(function (searches) {
      return [].concat.apply([], searches.map(function (search) {
        return search.results.sort(function (a, b) { return pageOf(b.id).number - pageOf(a.id).number; });
      }));
    });
  };

  // A result's page: "<part prefix>_<page number in base 36>" (pagefind_stable.compact names them).
  function pageOf(id) {
    var at = id.lastIndexOf("_");
    return {prefix: id.slice(0, at), number: parseInt(id.slice(at + 1), 36)};
  }

  // --- Facet tables: what opening the filters fetches ------------------------------------------------
  // pagefind/<part>/facets.pf_facets (search.py, pagefind_stable.write_facets) lists, page by page,
  // each page's values of each filter: gzipped JSON, half the bytes of Pagefind's filter files,
  // which are never fetched. A result's page is in its id: "<part prefix>_<page number, base 36>".
  var FACET_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

  function Table(part, data) {
    var filters = this.filters = {};  // name -> {values: [text], pages: [[value number]]}
    this.part = part.name;
    this.prefix = data.prefix;
    this.size = data.pages;
    Object.keys(data.filters).forEach(function (name) {
      var filter = data.filters[name];
      var width = filter.width || 1;
      filters[name] = {values: filter.values, pages: filter.pages.split(",").map(function (codes) {
        var numbers = [];
        for (var at = 0; at + width <= codes.length; at += width) {
          var number = 0;
          for (var k = 0; k < width; k++) number = number * FACET_ALPHABET.length + FACET_ALPHABET.indexOf(codes.charAt(at + k));
          numbers.push(number);
        }
        return numbers;
      })};
    });
  }

  // A page's values of a facet; the year facet's is the part's year ("2024", or a split year's
  // "2024-h1", "2024-q3", "2024-05"; a single part, "all", is no year).
  Table.prototype.values = function (name, page) {
    if (name === YEAR) return /^\d{4}/.test(this.part) ? [this.part.slice(0, 4)] : [];
    var filter = this.filters[name];
    if (!filter) return [];
    return (filter.pages[page] || []).map(function (number) { return filter.values[number]; });
  };

  function inflate(response) {
    if (!response.ok) throw new Error(response.url + ": HTTP " + response.status);
    return new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).json();
  }

  // Every part's table, fetched once (the tag in the address changes whenever the table does),
  // keyed by the prefix of its pages' ids.
  Parts.prototype.tables = function () {
    var self = this;
    if (!this.loadingTables) {
      this.loadingTables = Promise.all(this.parts.map(function (part) {
        var address = new URL(part.name + "/facets.pf_facets?" + encodeURIComponent(part.tag), pagefindBase);
        return fetch(address.href).then(inflate).then(function (data) { return new Table(part, data); });
      })).then(function (tables) {
        var byPrefix = {};
        tables.forEach(function (table) { byPrefix[table.prefix] = table; });
        return byPrefix;
      });
      this.loadingTables.catch(function () { self.loadingTables = null; });  // again next time
    }
    return this.loadingTables;
  };

  // The results that pass every chosen filter, in their order (values of one filter widen, filters
  // narrow), and each facet's counts: for each value, the results that pass the other facets'
  // filters and have it, i.e. how many ticking it would give.
  function narrow(results, tables, chosen) {
    var counts = {};
    FACETS.forEach(function (facet) { counts[facet.name] = {}; });
    var kept = results.filter(function (result) {
      var page = pageOf(result.id);
      var table = tables[page.prefix];
      var values = {};
      var missed = [];
      FACETS.forEach(function (facet) {
        var wanted = chosen[facet.name];
        values[facet.name] = table ? table.values(facet.name, page.number) : [];
        if (wanted && !values[facet.name].some(function (value) { return wanted.indexOf(value) >= 0; })) {
          missed.push(facet.name);
        }
      });
      FACETS.forEach(function (facet) {
        if (missed.length > 1 || (missed.length === 1 && missed[0] !== facet.name)) return;
        values[facet.name].forEach(function (value) {
          counts[facet.name][value] = (counts[facet.name][value] || 0) + 1;
        });
      });
      return !missed.length;
    });
    return {results: kept, filters: counts};
  }

  // Every value with its number of stories.
  function totals(tables) {
    var counts = {};
    FACETS.forEach(function (facet) { counts[facet.name] = {}; });
    Object.keys(tables).forEach(function (prefix) {
      var table = tables[prefix];
      for (var page = 0; page < table.size; page++) {
        FACETS.forEach(function (facet) {
          table.values(facet.name, page).forEach(function (value) {
            counts[facet.name][value] = (counts[facet.name][value] || 0) + 1;
          });
        });
      }
    });
    return counts;
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

  // Values with equal counts in the page language's alphabetical order: the browser's collation
  // (ICU), which puts Dari's پ after ب where plain code-point order puts it after ی.
  var COLLATOR = (function () {
    try { return new Intl.Collator(document.documentElement.lang || undefined); }
    catch (error) { return new Intl.Collator(); }  // a lang the browser does not know
  })();

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
      else values.sort(function (a, b) { return all[facet.name][b] - all[facet.name][a] || COLLATOR.compare(a, b); });
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
      this.facetsLoading = pagefind().then(function (parts) { return parts.tables(); }).then(function (tables) {
        if (!self.facets.built) self.facets.build(totals(tables));
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
        pagefind().then(function (parts) { return parts.tables(); }).then(function (tables) {
          if (sequence === self.sequence) self.facets.show(totals(tables));
        }).catch(function () {});
      }
      this.busy(false);
      return Promise.resolve();
    }
    this.busy(true);
    // Filters, and counts once the facets are open, need the facet tables (fetched once).
    var counting = filtered || this.facets.built;
    return pagefind().then(function (parts) {
      return Promise.all([parts.search(words || null), counting ? parts.tables() : null]);
    }).then(function (found) {
      if (sequence !== self.sequence) return null;
      var search = found[1] ? narrow(found[0], found[1], chosen) : {results: found[0], filters: null};
      if (self.facets.built) self.facets.show(search.filters);
      self.current = {search: search, words: words, chosen: chosen, shown: 0};
      self.list.replaceChildren();
      self.status.textContent = self.describe(search.results.length, words, chosen);
      return self.next(sequence);
    }).catch(function (error) {
      if (sequence !== self.sequence) return;
      self.status.textContent = location.protocol === "file:"
        ? _("Search needs the site served over http(s); it does not work from a file.")
        : _("Search is not available right now.");
      self.busy(false);
      if (window.console) console.warn("digest search:", error);
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
