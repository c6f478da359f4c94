// The ECharts build of the reports, loaded on first use in its own chunk (see Chart.tsx): only
// the core, the line, bar and pie charts, the components they need and the canvas renderer.

import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

export const { init } = echarts;
export type { EChartsType } from 'echarts/core';
