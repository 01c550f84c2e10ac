// The traces page's search box: the filter language with suggestions as you type (fields,
// operators, known values, and/or), and the server's error shown under the position it names.

import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { applySuggestion, parseFilterError, suggest, type KnownValues, type Suggestions } from '../filterSuggest';

const EXAMPLES = ['status = error', 'model = "gpt-4o" and duration > 2s', 'cost > 0.01', 'error_class = "infrastructure"'];

export function FilterSearch(props: { value: string; error: string | null; known: KnownValues; onSubmit: (filter: string) => void }) {
  const [text, setText] = useState(props.value);
  const [caret, setCaret] = useState(props.value.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => setText(props.value), [props.value]);

  const suggestions: Suggestions = useMemo(() => suggest(text, caret, props.known), [text, caret, props.known]);
  const items = open ? suggestions.items : [];

  const submit = (value: string) => {
    setOpen(false);
    props.onSubmit(value.trim());
  };

  const choose = (index: number) => {
    const item = suggestions.items[index];
    if (!item) return;
    const next = applySuggestion(text, suggestions, item);
    setText(next.text);
    setCaret(next.caret);
    setActive(-1);
    // Keep typing where the suggestion ended.
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  // Enter searches unless a suggestion was picked with the arrow keys; Tab takes the first.
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (items.length === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      // -1 is "none": back in the text, where Enter searches.
      if (e.key === 'ArrowDown') setActive((a) => (a >= items.length - 1 ? -1 : a + 1));
      else setActive((a) => (a <= -1 ? items.length - 1 : a - 1));
    } else if (e.key === 'Tab' && !e.shiftKey) {
      e.preventDefault();
      choose(active >= 0 ? active : 0);
    } else if (e.key === 'Enter' && active >= 0 && active < items.length) {
      e.preventDefault();
      choose(active);
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };

  const problem = props.error ? parseFilterError(props.error) : null;
  return (
    <form
      className="search"
      onSubmit={(e) => {
        e.preventDefault();
        submit(text);
      }}
    >
      <div className={`searchbox ${props.error ? 'invalid' : ''}`}>
        <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
          <circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M13 13l4 4" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </svg>
        <div className="suggest-anchor">
          <input
            ref={input}
            data-testid="filter"
            spellCheck={false}
            autoComplete="off"
            role="combobox"
            aria-expanded={items.length > 0}
            aria-controls="filter-suggestions"
            placeholder='Filter, e.g. service = "rag-api" and duration > 2s and status = error'
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setCaret(e.target.selectionStart ?? e.target.value.length);
              setOpen(true);
              setActive(-1);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? text.length)}
            onFocus={() => setOpen(true)}
            onBlur={() => setOpen(false)}
            onKeyDown={onKeyDown}
          />
          {items.length > 0 && (
            <ul className="suggestions" id="filter-suggestions" role="listbox" data-testid="suggestions">
              {items.map((item, i) => (
                <li
                  key={item.label}
                  role="option"
                  aria-selected={i === active}
                  className={i === active ? 'on' : ''}
                  onMouseDown={(e) => {
                    e.preventDefault(); // keep the focus in the box
                    choose(i);
                  }}
                  onMouseEnter={() => setActive(i)}
                  data-testid="suggestion"
                >
                  <span className="mono">{item.label}</span>
                  {item.detail && <span className="muted small">{item.detail}</span>}
                </li>
              ))}
              <li className="suggest-hint muted small" aria-hidden="true">
                ↑↓ choose · Tab complete · Enter search
              </li>
            </ul>
          )}
        </div>
        {text && (
          <button
            type="button"
            className="ghost small"
            onClick={() => {
              setText('');
              submit('');
            }}
          >
            Clear
          </button>
        )}
        <button type="submit" className="small primary">
          Search
        </button>
      </div>
      {problem ? (
        <div className="filter-error" role="alert" data-testid="filter-error">
          {problem.position !== null && problem.position <= props.value.length && (
            <div className="filter-error-at" aria-hidden="true">
              {props.value}
              {'\n'}
              <span className="caret-line">{' '.repeat(problem.position)}^</span>
            </div>
          )}
          <div className="filter-error-text">
            {problem.text}
            {problem.position !== null && <span className="muted"> (at character {problem.position + 1})</span>}
          </div>
        </div>
      ) : (
        <div className="examples">
          {EXAMPLES.map((x) => (
            <button
              type="button"
              key={x}
              className="chip"
              onClick={() => {
                setText(x);
                submit(x);
              }}
            >
              {x}
            </button>
          ))}
        </div>
      )}
    </form>
  );
}
