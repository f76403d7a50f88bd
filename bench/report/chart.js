// bench/results.svg: horizontal bars of each ratio, drawn by hand (no charting dependency).

const WIDTH = 820
const LABEL_WIDTH = 300
const BAR_HEIGHT = 12
const BAR_GAP = 3
const GROUP_GAP = 10
const COLORS = { hot: '#d9822b', random: '#2b6cb0', http: '#2f855a' }

/** The chart: Redis decisions at 512 in flight (hot and random keys), then HTTP per framework. */
export function resultsSvg({ decisions, http }) {
  const redis = decisions.cells.filter((cell) => cell.store === 'redis' && cell.concurrency === 512)
  const ids = [...(redis[0]?.rows.keys() ?? [])]
  const redisGroups = ids
    .map((id) => ({
      label: id,
      bars: redis
        .map((cell) => ({ value: cell.rows.get(id)?.ratio, color: COLORS[cell.keys] }))
        .filter((bar) => bar.value !== undefined),
    }))
    .filter((group) => group.bars.length > 0)
  const httpGroups = http.cells.flatMap((cell) =>
    [...cell.rows.values()]
      .filter((row) => row.ratio !== undefined && row.side !== 'reference')
      .map((row) => ({ label: `${cell.framework}: ${row.id}`, bars: [{ value: row.ratio, color: COLORS.http }] })),
  )
  const parts = []
  let y = 0
  for (const panel of [
    {
      title: 'Redis decisions/s at 512 in flight, × the bare script (orange: hot key, blue: random keys)',
      groups: redisGroups,
    },
    { title: 'HTTP requests/s, × the same app with no limiter', groups: httpGroups },
  ]) {
    const drawn = barPanel(panel, y)
    parts.push(drawn.svg)
    y += drawn.height + 20
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="sans-serif" font-size="11">`,
    '<title>atomic-ratelimit benchmark: decisions per second against the bare Redis script, and HTTP requests per second against no limiter</title>',
    `<rect width="${WIDTH}" height="${y}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n')
}

/** One titled panel of grouped bars with a line at 1.0, from `top`; resolves to its SVG and height. */
function barPanel({ title, groups }, top) {
  const values = groups.flatMap((group) => group.bars.map((bar) => bar.value))
  const scaleMax = Math.max(1.2, ...values) * 1.1
  const plotWidth = WIDTH - LABEL_WIDTH - 50
  const x = (value) => LABEL_WIDTH + (value / scaleMax) * plotWidth
  const svg = [`<text x="10" y="${top + 16}" font-size="13" font-weight="bold">${escapeXml(title)}</text>`]
  let y = top + 30
  for (const group of groups) {
    const groupHeight = group.bars.length * (BAR_HEIGHT + BAR_GAP)
    svg.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + groupHeight / 2 + 3}" text-anchor="end">${escapeXml(group.label)}</text>`,
    )
    for (const bar of group.bars) {
      const width = Math.max(1, x(bar.value) - LABEL_WIDTH)
      svg.push(
        `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${bar.color}"/>`,
      )
      svg.push(
        `<text x="${(LABEL_WIDTH + width + 4).toFixed(1)}" y="${y + BAR_HEIGHT - 2}">${bar.value.toFixed(2)}</text>`,
      )
      y += BAR_HEIGHT + BAR_GAP
    }
    y += GROUP_GAP
  }
  svg.push(
    `<line x1="${x(1).toFixed(1)}" y1="${top + 24}" x2="${x(1).toFixed(1)}" y2="${y - GROUP_GAP}" stroke="#333" stroke-dasharray="4 3"/>`,
  )
  svg.push(`<text x="${x(1).toFixed(1)}" y="${y + 2}" text-anchor="middle">1.0</text>`)
  return { svg: svg.join('\n'), height: y + 6 - top }
}

function escapeXml(text) {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
