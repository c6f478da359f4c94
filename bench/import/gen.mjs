// Writes a deterministic CSV of synthetic profiles for bench/import/run.sh.
//
//   node bench/import/gen.mjs ROWS OUT.csv [MODIFY_PERCENT]
//
// Columns (header line included): email,firstName,lastName,gender,birthDate,country,city,
// postalCode; about 85 bytes per row. The same ROWS always gives the same bytes (seeded
// PRNG, no clock). Emails are unique (they carry the row number) and already normalized
// (lower case), countries are upper-case ISO codes and dates ISO, so that importing the same
// file twice leaves every row unchanged. With MODIFY_PERCENT = p, every row whose number is
// below p modulo 100 gets another city and postal code (the person moved): the same emails,
// p % of the rows changed.
import { createWriteStream } from 'node:fs';

const rows = Number(process.argv[2]);
const out = process.argv[3];
const modify = Number(process.argv[4] ?? 0);
if (!Number.isInteger(rows) || rows < 1 || !out || !(modify >= 0 && modify <= 100)) {
  console.error('usage: node gen.mjs ROWS OUT.csv [MODIFY_PERCENT]');
  process.exit(2);
}

// mulberry32: small, fast, and the same everywhere.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(42);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const int = (n) => Math.floor(rand() * n);

const first = ['Anna', 'Benjamin', 'Clara', 'David', 'Emma', 'Felix', 'Greta', 'Hugo', 'Isabel',
  'Jonas', 'Karl', 'Lena', 'Maximilian', 'Nina', 'Oskar', 'Paula', 'Quentin', 'Rosa', 'Samuel',
  'Theresa', 'Ulrich', 'Valentina', 'William', 'Xenia', 'Yara', 'Zoe', 'Liam', 'Olivia', 'Noah',
  'Mia', 'Lucas', 'Sofia', 'Leonardo', 'Elisabeth', 'Marie', 'Pierre', 'Jan', 'Eva', 'Thomas',
  'Charlotte'];
const last = ['Smith', 'Mueller', 'Martin', 'Rossi', 'Garcia', 'Jansen', 'Nowak', 'Silva',
  'Brown', 'Schmidt', 'Bernard', 'Russo', 'Lopez', 'Devries', 'Kowalski', 'Santos', 'Wilson',
  'Schneider', 'Dubois', 'Ferrari', 'Perez', 'Bakker', 'Wisniewski', 'Costa', 'Taylor',
  'Fischer', 'Thomas', 'Bianchi', 'Sanchez', 'Visser', 'Lefebvre', 'Hoffmann'];
const domains = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'web.de', 'gmx.de',
  'orange.fr', 'icloud.com', 'protonmail.com', 'example-company.org', 't-online.de', 'libero.it',
  'googlemail.com', 'yahoo.co.uk'];
// country -> cities; a postal code is made from the country's pattern.
const places = [
  ['DE', ['Berlin', 'Hamburg', 'Muenchen', 'Koeln', 'Frankfurt am Main', 'Stuttgart', 'Leipzig']],
  ['FR', ['Paris', 'Marseille', 'Lyon', 'Toulouse', 'Nice', 'Nantes', 'Strasbourg', 'Bordeaux']],
  ['IT', ['Roma', 'Milano', 'Napoli', 'Torino', 'Palermo', 'Genova', 'Bologna', 'Firenze']],
  ['ES', ['Madrid', 'Barcelona', 'Valencia', 'Sevilla', 'Zaragoza', 'Malaga', 'Bilbao']],
  ['NL', ['Amsterdam', 'Rotterdam', 'Den Haag', 'Utrecht', 'Eindhoven', 'Groningen']],
  ['GB', ['London', 'Birmingham', 'Manchester', 'Glasgow', 'Liverpool', 'Bristol', 'Leeds']],
  ['US', ['New York', 'Los Angeles', 'Chicago', 'Houston', 'Phoenix', 'Philadelphia']],
  ['PL', ['Warszawa', 'Krakow', 'Lodz', 'Wroclaw', 'Poznan', 'Gdansk']],
  ['BE', ['Bruxelles', 'Antwerpen', 'Gent', 'Charleroi', 'Liege']],
  ['AT', ['Wien', 'Graz', 'Linz', 'Salzburg', 'Innsbruck']],
];
// Zipf-like country weights: DE is the most common.
const cum = [];
places.reduce((s, _, i) => { cum.push(s + 1 / (i + 1) ** 0.8); return cum[i]; }, 0);
const pickPlace = () => {
  const x = rand() * cum[cum.length - 1];
  return places[cum.findIndex((c) => x < c)];
};
const genders = ['female', 'female', 'female', 'male', 'male', 'male', 'other', 'unknown', ''];
const postal = (country) => {
  switch (country) {
    case 'GB': return `${pick(['SW', 'EC', 'N', 'M', 'B', 'LS'])}${1 + int(20)} ${int(10)}${pick(['AB', 'XY', 'QT'])}`;
    case 'NL': return `${1000 + int(9000)} ${pick(['AB', 'CD', 'KL', 'XZ'])}`;
    case 'AT': case 'BE': return String(1000 + int(9000));
    case 'PL': return `${String(int(100)).padStart(2, '0')}-${String(int(1000)).padStart(3, '0')}`;
    default: return String(int(100000)).padStart(5, '0');
  }
};
const pad2 = (n) => String(n).padStart(2, '0');

const w = createWriteStream(out, { highWaterMark: 1 << 22 });
w.write('email,firstName,lastName,gender,birthDate,country,city,postalCode\n');
const chunkRows = 20000;
let i = 0;
function writeChunk() {
  while (i < rows) {
    const parts = [];
    const end = Math.min(rows, i + chunkRows);
    for (; i < end; i++) {
      // Every value is drawn whether or not the row is modified, so that both files share
      // the PRNG sequence and differ only where intended.
      const fn = pick(first);
      const ln = pick(last);
      const dom = pick(domains);
      const sep = pick(['.', '_', '']);
      const g = pick(genders);
      const birth = `${1945 + int(63)}-${pad2(1 + int(12))}-${pad2(1 + int(28))}`;
      const [country, cities] = pickPlace();
      let city = pick(cities);
      let pc = postal(country);
      const moved = pick(cities);
      const movedPc = postal(country);
      if (i % 100 < modify) {
        city = moved === city ? `${city} Nord` : moved;
        pc = movedPc === pc ? `${pc}1` : movedPc;
      }
      const email = `${fn.toLowerCase()}${sep}${ln.toLowerCase()}${birth.slice(0, 4)}.${i + 1}@${dom}`;
      parts.push(`${email},${fn},${ln},${g},${birth},${country},${city},${pc}\n`);
    }
    if (!w.write(parts.join(''))) {
      w.once('drain', writeChunk);
      return;
    }
  }
  w.end();
}
w.on('error', (e) => { console.error(`gen.mjs: ${e.message}`); process.exit(1); });
writeChunk();
