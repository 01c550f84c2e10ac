import { PRESETS, type RangeKey, type RangeState } from '../timeRange';

const ALL_CHOICES: RangeKey[] = [...PRESETS, 'all', 'custom'];

/** The time range: preset buttons (`choices`, default every one) and, for Custom, two inputs. */
export function RangePicker(props: { value: RangeState; onChange: (r: RangeState) => void; choices?: RangeKey[] }) {
  const { value } = props;
  return (
    <div className="range">
      <div className="segmented" role="group" aria-label="Time range">
        {(props.choices ?? ALL_CHOICES).map((r) => (
          <button
            key={r}
            className={value.range === r ? 'on' : ''}
            onClick={() => props.onChange({ ...value, range: r })}
            data-testid={`range-${r}`}
          >
            {r === 'all' ? 'All' : r === 'custom' ? 'Custom' : r}
          </button>
        ))}
      </div>
      {value.range === 'custom' && (
        <div className="custom-range">
          <input
            type="datetime-local"
            value={value.start ?? ''}
            onChange={(e) => props.onChange({ ...value, start: e.target.value })}
            aria-label="From"
          />
          <span className="muted">to</span>
          <input
            type="datetime-local"
            value={value.end ?? ''}
            onChange={(e) => props.onChange({ ...value, end: e.target.value })}
            aria-label="To"
          />
        </div>
      )}
    </div>
  );
}
