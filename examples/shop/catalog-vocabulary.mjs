/**
 * The words the catalog generator builds products from: categories with their
 * kinds of product, and brands with the categories they sell in. Kept apart
 * from the generator so the vocabulary can grow without touching the logic.
 *
 * Each kind of product is one line, `;`-separated, so the whole vocabulary
 * reads at a glance:
 * `noun; low-high price in $; styles; feature tags[; gendered]`, where a
 * style is `Word` or `Word=tag+tag` (tags the style implies) and `_` is
 * "no style word".
 * @module
 */

/**
 * @typedef {object} Subkind
 * @property {string} noun         singular product noun, ends the title ("Running Shoe")
 * @property {[number, number]} price  price band in dollars, low to high
 * @property {Array<[string, string[]]>} styles  title word + tags it implies; '' for none
 * @property {string[]} features   feature tags, one or two are picked
 * @property {boolean} gendered    true for apparel and footwear cut per gender
 */

/**
 * @typedef {object} Category
 * @property {string} slug
 * @property {number} hue   base hue of the placeholder images
 * @property {Subkind[]} subkinds
 */

const CATEGORY_LINES = {
  running: {
    hue: 14,
    subkinds: [
      'Running Shoe; 80-190; Trail=trail, Road=road, Racing=road+racing; lightweight breathable waterproof cushioned; gendered',
      'Running Shorts; 25-65; _, Split=racing, Trail=trail; lightweight breathable recycled; gendered',
      'Running Socks; 10-24; Ankle, Crew, Trail=trail; breathable cushioned recycled',
      'GPS Running Watch; 149-549; _, Multisport=triathlon, Trail=trail; waterproof lightweight solar',
      'Running Jacket; 60-170; Wind, Rain=waterproof, Thermal=winter; lightweight packable reflective; gendered',
      'Hydration Vest; 55-150; _, Trail=trail, Ultra=trail+ultra; lightweight breathable',
      'Running Tights; 35-95; _, Thermal=winter, Compression; reflective breathable recycled; gendered',
    ],
  },
  hiking: {
    hue: 95,
    subkinds: [
      'Hiking Boot; 110-270; Mid, Low, Backpacking=backpacking; waterproof lightweight breathable; gendered',
      'Hiking Pants; 50-125; Convertible, Softshell, _; stretch water-repellent lightweight; gendered',
      'Trekking Poles; 40-160; Carbon=carbon, Aluminium, Folding=packable; lightweight adjustable',
      'Daypack; 50-170; 20L, 28L, Summit=backpacking; waterproof ventilated lightweight',
      'Hiking Socks; 15-29; Merino=merino, Crew, Lightweight; cushioned breathable',
      'Rain Shell; 90-330; 3-Layer, 2.5-Layer, Alpine=alpine; waterproof packable breathable; gendered',
    ],
  },
  cycling: {
    hue: 205,
    subkinds: [
      'Cycling Helmet; 50-290; Road=road, MTB=mtb, Aero=road+racing; lightweight ventilated mips',
      'Cycling Jersey; 45-150; Road=road, Gravel=gravel, Thermal=winter; breathable recycled reflective; gendered',
      'Bib Shorts; 60-220; Road=road, Endurance, Cargo=gravel; breathable cushioned; gendered',
      'Cycling Gloves; 20-65; Fingerless, Winter=winter, MTB=mtb; breathable padded',
      'Bike Light Set; 25-120; USB, Commuter=commute, Trail=mtb; rechargeable waterproof',
      'Cycling Shoe; 90-360; Road=road, MTB=mtb, Gravel=gravel; lightweight carbon-sole; gendered',
      'Bike Computer; 120-460; GPS, Mini, Touch; waterproof rechargeable',
    ],
  },
  yoga: {
    hue: 285,
    subkinds: [
      'Yoga Mat; 25-135; Travel=packable, Cork=eco, Grip; non-slip eco lightweight',
      'Yoga Block; 10-32; Cork=eco, Foam, Bamboo=eco; lightweight',
      'Yoga Leggings; 40-115; High-Rise, 7/8, _; stretch recycled breathable; gendered',
      'Yoga Strap; 8-22; Cotton, Loop, _; adjustable',
      'Meditation Cushion; 30-85; Buckwheat=eco, Crescent, Round; washable',
      'Sports Bra; 30-75; Low-Impact, Medium-Support, Seamless; breathable recycled',
    ],
  },
  swimming: {
    hue: 190,
    subkinds: [
      'Swim Goggles; 12-55; Racing=racing, Open Water=open-water, Mirrored; anti-fog uv-protection',
      'Swimsuit; 30-125; Training, Racing=racing, Chlorine-Proof; chlorine-resistant recycled quick-dry; gendered',
      'Swim Cap; 8-26; Silicone, Long Hair, Racing=racing; durable',
      'Wetsuit; 150-620; Triathlon=triathlon+open-water, Open Water=open-water, Shorty; flexible warm; gendered',
      'Kickboard; 12-32; _, Junior=kids, Pull-Buoy; durable lightweight',
      'Swim Fins; 25-85; Short Blade, Training, Long Blade; flexible durable',
    ],
  },
  tennis: {
    hue: 60,
    subkinds: [
      'Tennis Racket; 80-270; Control, Power, Tour=tour; lightweight graphite',
      'Tennis Balls 4-Pack; 5-15; Championship, Clay Court=clay, All Court; durable pressurised',
      'Tennis Shoe; 70-175; All Court, Clay Court=clay, Hard Court=hard-court; durable lightweight cushioned; gendered',
      'Tennis Bag; 40-165; 6-Racket, 12-Racket=tour, Backpack; thermal-lined padded',
      'Overgrip 3-Pack; 6-16; Tacky, Dry, Pro; absorbent',
      'Tennis Polo; 30-85; Court, Tour=tour, _; breathable quick-dry recycled; gendered',
    ],
  },
  football: {
    hue: 130,
    subkinds: [
      'Football Boot; 50-290; Firm Ground=firm-ground, Soft Ground=soft-ground, Turf=turf; lightweight laceless; gendered',
      'Match Ball; 20-165; Training, Match, Futsal=futsal; durable fifa-quality',
      'Shin Guards; 12-48; Slip-In, Ankle, Junior=kids; lightweight padded',
      'Goalkeeper Gloves; 25-125; Negative Cut, Roll Finger, Junior=kids; grip padded',
      'Training Jersey; 25-75; _, Long-Sleeve, Pre-Match; breathable quick-dry recycled; gendered',
      'Training Cone Set; 12-36; Agility, Marker, _; durable',
    ],
  },
  camping: {
    hue: 32,
    subkinds: [
      'Tent; 120-620; 2-Person=backpacking, 4-Person=family, Ultralight=backpacking+ultralight; waterproof freestanding lightweight',
      'Sleeping Bag; 60-360; 3-Season, Down=down, Summer; packable lightweight warm',
      'Sleeping Pad; 40-210; Inflatable, Foam, Self-Inflating; lightweight packable insulated',
      'Camp Stove; 40-185; Canister=backpacking, Two-Burner=family, Multi-Fuel; lightweight windproof',
      'Headlamp; 20-95; _, Rechargeable, Trail=trail; waterproof rechargeable lightweight',
      'Camp Chair; 30-125; Folding, Ultralight=ultralight, Rocking=family; packable durable',
      'Cooler; 40-310; Hard, Soft, Wheeled=family; insulated durable',
    ],
  },
};

/** Brand → `categories; model names`. */
const BRAND_LINES = {
  Stridewell: 'running hiking tennis; Aeroglide Tempo Cadence Pacer Horizon Skyline',
  Northpeak: 'hiking camping running; Summit Ridgeline Alpine Talus Cirrus Granite',
  Velox: 'cycling running; Apex Breakaway Sprint Echelon Criterium Volta',
  'Tide & Tempo': 'swimming yoga; Riptide Lagoon Current Serene Ebb Drift',
  Courtline: 'tennis football; Ace Baseline Volley Rally Slice Deuce',
  'Kinetic Lab': 'running cycling football yoga; Pulse Vector Momentum Flux Torque Ion',
  'Basecamp Co.': 'camping hiking; Trailhead Ember Pinecrest Nomad Bivouac Lantern',
  Arcadia: 'yoga swimming tennis; Lotus Solstice Halcyon Aurora Meridian Zephyr',
  Fieldhouse: 'football cycling swimming; Striker Pitch Sweeper Derby Keeper Volt',
};

/**
 * @param {string} line
 * @returns {Subkind}
 */
function parseSubkind(line) {
  const [noun = '', price = '', styles = '', features = '', flag] = line.split(';').map((s) => s.trim());
  const [low = 0, high = 0] = price.split('-').map(Number);
  return {
    noun,
    price: [low, high],
    styles: styles.split(',').map((style) => {
      const [word = '', tags] = style.trim().split('=');
      return [word === '_' ? '' : word, tags ? tags.split('+') : []];
    }),
    features: features.split(' '),
    gendered: flag === 'gendered',
  };
}

/** @type {Category[]} */
export const CATEGORIES = Object.entries(CATEGORY_LINES).map(([slug, { hue, subkinds }]) => ({
  slug,
  hue,
  subkinds: subkinds.map(parseSubkind),
}));

/**
 * Several brands span categories, so brand affinity can cross them. One name
 * carries an ampersand on purpose, so every page exercises HTML escaping.
 * @type {Array<{ name: string, categories: string[], models: string[] }>}
 */
export const BRANDS = Object.entries(BRAND_LINES).map(([name, line]) => {
  const [categories = '', models = ''] = line.split(';').map((s) => s.trim());
  return { name, categories: categories.split(' '), models: models.split(' ') };
});
