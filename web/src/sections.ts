// The sections of the navbar, in the order of the marketer's path.
// `arrivesWith` says honestly what a section is waiting for while it is not built.

export interface Section {
  path: string;
  label: string;
  arrivesWith?: string;
}

export const SECTIONS: Section[] = [
  { path: '/plan', label: 'Marketing plan', arrivesWith: 'campaigns, programs and the delivery calendar' },
  { path: '/audiences', label: 'Profiles & audiences' },
  { path: '/workflows', label: 'Workflows' },
  { path: '/messages', label: 'Messages' },
  { path: '/landing-pages', label: 'Landing pages', arrivesWith: 'the landing page editor and form capture' },
  { path: '/reports', label: 'Reports' },
  { path: '/admin', label: 'Administration' },
];
