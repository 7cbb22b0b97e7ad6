// Chart.js registration and drawing (browser only). Exports draw each chart on a detached
// canvas without animation and keep the PNG: self-contained images, no script needed to
// view them.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
} from 'chart.js';
import type { ChartSpec } from './charts';

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Title, Tooltip);

/** PNGs would otherwise have a transparent background (unreadable in dark viewers and PDF). */
const whiteBackground: Plugin = {
  id: 'white-background',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** Draws a live chart; the caller destroys it. */
export function drawChart(canvas: HTMLCanvasElement, config: ChartConfiguration): Chart {
  return new Chart(canvas, { ...config, plugins: [...(config.plugins ?? []), whiteBackground] });
}

export interface ChartImage {
  id: string;
  title: string;
  description: string;
  width: number;
  height: number;
  /** data:image/png;base64,… */
  dataUrl: string;
}

export function chartToPng(spec: ChartSpec, width = 720, height = 420, pixelRatio = 2): ChartImage {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const chart = new Chart(canvas, {
    ...spec.config,
    options: { ...spec.config.options, responsive: false, animation: false, devicePixelRatio: pixelRatio },
    plugins: [...(spec.config.plugins ?? []), whiteBackground],
  } as ChartConfiguration);
  try {
    return { id: spec.id, title: spec.title, description: spec.description, width, height, dataUrl: canvas.toDataURL('image/png') };
  } finally {
    chart.destroy();
  }
}
