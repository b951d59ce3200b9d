/**
 * Word lists of the demo-data seeder (`scripts/seed.ts`). Invented, but shaped like a real
 * international CRM: many names, a skewed spread of countries and cities, plausible job titles,
 * industries and deal names. Weights are relative. Lists are comma-separated text to keep the
 * file short.
 */

/** A value with its relative weight. */
export type Weighted = readonly [value: string, weight: number];

function list(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `value:weight, value:weight, …` */
function weighted(text: string): Weighted[] {
  return list(text).map((item) => {
    const at = item.lastIndexOf(':');
    return [item.slice(0, at), Number(item.slice(at + 1))] as const;
  });
}

export const FIRST_NAMES: readonly string[] = list(`
  James, Mary, John, Patricia, Robert, Jennifer, Michael, Linda, William, Elizabeth, David,
  Barbara, Richard, Susan, Joseph, Jessica, Thomas, Sarah, Charles, Karen, Christopher,
  Nancy, Daniel, Lisa, Matthew, Betty, Anthony, Margaret, Mark, Sandra, Donald, Ashley,
  Steven, Kimberly, Paul, Emily, Andrew, Donna, Joshua, Michelle, Kenneth, Dorothy, Kevin,
  Carol, Brian, Amanda, George, Melissa, Timothy, Deborah, Ronald, Stephanie, Edward,
  Rebecca, Jason, Sharon, Jeffrey, Laura, Ryan, Cynthia, Jacob, Kathleen, Gary, Amy,
  Nicholas, Angela, Eric, Shirley, Jonathan, Anna, Stephen, Brenda, Larry, Pamela, Justin,
  Emma, Scott, Nicole, Brandon, Helen, Benjamin, Samantha, Samuel, Katherine, Gregory,
  Christine, Alexander, Debra, Patrick, Rachel, Frank, Carolyn, Raymond, Janet, Jack,
  Catherine, Dennis, Maria, Jerry, Heather, Tyler, Diane, Aaron, Olivia, Henry, Julie, Adam,
  Joyce, Nathan, Victoria, Zachary, Ruth, Kyle, Virginia, Noah, Lauren, Ethan, Grace, Liam,
  Chloe, Oliver, Sophie, Harry, Isla, Oscar, Amelia, Leo, Ella, Freddie, Lukas, Leonie,
  Maximilian, Lea, Felix, Johanna, Jonas, Lena, Tobias, Katrin, Jürgen, Sabine, Stefan,
  Ulrike, Matthias, Birgit, Andreas, Petra, Wolfgang, Monika, Florian, Anja, Sebastian, Jana,
  Dominik, Franziska, Moritz, Greta, Jean, Camille, Pierre, Manon, Nicolas, Chloé, Antoine,
  Léa, Julien, Élodie, François, Amélie, Mathieu, Céline, José, Lucía, Javier, Carmen,
  Alejandro, Sofía, Diego, Valentina, Pablo, Isabel, Marco, Giulia, Luca, Francesca, Matteo,
  Chiara, Alessandro, Elena, João, Beatriz, Tiago, Inês, Rafael, Mariana, Lars, Ingrid, Erik,
  Astrid, Magnus, Sigrid, Mikkel, Freja, Sander, Femke, Daan, Sanne, Jakub, Zofia, Piotr,
  Agnieszka, Tomasz, Małgorzata, Jiří, Tereza, Hiroshi, Yuki, Takeshi, Aiko, Kenji, Sakura,
  Wei, Li, Jun, Mei, Min-jun, Ji-woo, Arjun, Priya, Rahul, Ananya, Vikram, Deepika, Rohan,
  Kavya, Aditya, Neha, Mohammed, Fatima, Omar, Aisha, Yusuf, Leila, Ahmed, Zainab, Chidi,
  Amara, Kwame, Ngozi, Thabo, Zanele, Mateo, Camila, Santiago, Gabriela
`);

export const LAST_NAMES: readonly string[] = list(`
  Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, Thomas,
  Moore, Martin, Jackson, Thompson, White, Harris, Clark, Lewis, Robinson, Walker, Young,
  Allen, King, Wright, Scott, Hill, Green, Adams, Baker, Nelson, Carter, Mitchell, Roberts,
  Turner, Phillips, Campbell, Parker, Evans, Edwards, Collins, Stewart, Morris, Murphy, Cook,
  Rogers, Morgan, Cooper, Peterson, Reed, Bailey, Bell, Kelly, Howard, Ward, Cox, Richardson,
  Wood, Watson, Brooks, Bennett, Gray, James, Hughes, Price, Sanders, Myers, Long, Ross,
  Foster, Powell, Jenkins, Perry, Russell, Sullivan, Fisher, Henderson, Coleman, Simmons,
  Patterson, Jordan, Reynolds, Hamilton, Graham, Wallace, Woods, Cole, West, Owens, Marshall,
  Ellis, Harrison, Gibson, McDonald, Kennedy, Wells, Fraser, O'Brien, O'Connor, Walsh,
  Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann,
  Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Braun,
  Krüger, Hofmann, Hartmann, Lange, Schmitt, Werner, Krause, Meier, Lehmann, Huber, Gruber,
  Steiner, Brunner, Keller, Frei, Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit,
  Durand, Leroy, Moreau, Simon, Laurent, Lefèvre, Michel, García, Fernández, González,
  Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, Díaz, Romero, Navarro, Rossi, Russo,
  Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, Conti,
  De Luca, Silva, Santos, Ferreira, Pereira, Oliveira, Costa, Rodrigues, Almeida, Hansen,
  Johansen, Olsen, Larsen, Andersen, Nielsen, Jensen, Pedersen, Johansson, Karlsson, Nilsson,
  Eriksson, Lindqvist, Virtanen, Korhonen, de Jong, Jansen, de Vries, van den Berg, van Dijk,
  Bakker, Visser, Smit, Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Novák, Svoboda,
  Dvořák, Černý, Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura,
  Kobayashi, Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Kim, Lee, Park, Choi,
  Jung, Kang, Sharma, Patel, Singh, Kumar, Gupta, Reddy, Iyer, Nair, Khan, Ali, Hassan,
  Hussein, Rahman, Haddad, Okafor, Mensah, Nkosi, Mwangi, Nguyen, Tran, Pham, Yilmaz, Kaya,
  Demir, Cohen, Levi, Ivanov, Petrov, Popescu, Nagy, Horváth, Papadopoulos, Murray
`);

export const JOB_TITLES: readonly Weighted[] = weighted(`
  Sales Manager:8, Account Executive:8, Marketing Manager:7, Software Engineer:7,
  Chief Executive Officer:3, Chief Technology Officer:2, Chief Financial Officer:2,
  Chief Marketing Officer:1, VP of Sales:2, VP of Engineering:2, Head of Marketing:3,
  Head of Operations:2, Head of IT:3, IT Manager:4, Product Manager:5, Project Manager:5,
  Operations Manager:4, Business Development Representative:5,
  Sales Development Representative:5, Customer Success Manager:4, Office Manager:3,
  HR Manager:3, Talent Acquisition Specialist:2, Financial Controller:2, Accountant:3,
  Procurement Manager:3, Purchasing Agent:2, Data Analyst:3, Data Scientist:2,
  DevOps Engineer:2, Security Engineer:1, Data Protection Officer:1, General Counsel:1,
  Legal Counsel:1, Consultant:4, Senior Consultant:2, Managing Director:3, Founder:2,
  Co-Founder:1, Owner:2, Marketing Specialist:3, Content Manager:2, UX Designer:2,
  Supply Chain Manager:2, Logistics Coordinator:2, Plant Manager:1, Store Manager:2,
  Teacher:1, Physician:1, Nurse:1, Student:2
`);

/** ISO 3166 code, weight, cities (most frequent first), phone format (# a digit, % 2–9), TLD. */
export const COUNTRIES: readonly {
  code: string;
  weight: number;
  cities: readonly string[];
  phone: string;
  tld: string;
}[] = [
  {
    code: 'US',
    weight: 30,
    cities: [
      'New York',
      'San Francisco',
      'Chicago',
      'Los Angeles',
      'Boston',
      'Austin',
      'Seattle',
      'Denver',
      'Atlanta',
      'Miami',
    ],
    phone: '+1 %##-%##-####',
    tld: 'com',
  },
  {
    code: 'DE',
    weight: 12,
    cities: [
      'Berlin',
      'München',
      'Hamburg',
      'Köln',
      'Frankfurt am Main',
      'Stuttgart',
      'Düsseldorf',
      'Leipzig',
    ],
    phone: '+49 ## ########',
    tld: 'de',
  },
  {
    code: 'GB',
    weight: 10,
    cities: ['London', 'Manchester', 'Birmingham', 'Edinburgh', 'Bristol', 'Leeds', 'Glasgow'],
    phone: '+44 20 #### ####',
    tld: 'co.uk',
  },
  {
    code: 'FR',
    weight: 7,
    cities: ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Bordeaux', 'Lille', 'Nantes'],
    phone: '+33 # ## ## ## ##',
    tld: 'fr',
  },
  {
    code: 'CA',
    weight: 5,
    cities: ['Toronto', 'Vancouver', 'Montréal', 'Calgary', 'Ottawa'],
    phone: '+1 %##-%##-####',
    tld: 'ca',
  },
  {
    code: 'NL',
    weight: 4,
    cities: ['Amsterdam', 'Rotterdam', 'Utrecht', 'Eindhoven', 'Den Haag'],
    phone: '+31 ## ### ####',
    tld: 'nl',
  },
  {
    code: 'ES',
    weight: 4,
    cities: ['Madrid', 'Barcelona', 'Valencia', 'Sevilla', 'Bilbao'],
    phone: '+34 ### ### ###',
    tld: 'es',
  },
  {
    code: 'IT',
    weight: 3,
    cities: ['Milano', 'Roma', 'Torino', 'Bologna', 'Napoli'],
    phone: '+39 ## #### ####',
    tld: 'it',
  },
  {
    code: 'CH',
    weight: 3,
    cities: ['Zürich', 'Genève', 'Basel', 'Bern', 'Lausanne'],
    phone: '+41 ## ### ## ##',
    tld: 'ch',
  },
  {
    code: 'AT',
    weight: 2,
    cities: ['Wien', 'Graz', 'Linz', 'Salzburg'],
    phone: '+43 # #######',
    tld: 'at',
  },
  {
    code: 'SE',
    weight: 2,
    cities: ['Stockholm', 'Göteborg', 'Malmö', 'Uppsala'],
    phone: '+46 ## ### ## ##',
    tld: 'se',
  },
  {
    code: 'DK',
    weight: 1,
    cities: ['København', 'Aarhus', 'Odense'],
    phone: '+45 ## ## ## ##',
    tld: 'dk',
  },
  {
    code: 'PL',
    weight: 2,
    cities: ['Warszawa', 'Kraków', 'Wrocław', 'Gdańsk', 'Poznań'],
    phone: '+48 ### ### ###',
    tld: 'pl',
  },
  {
    code: 'IE',
    weight: 1,
    cities: ['Dublin', 'Cork', 'Galway'],
    phone: '+353 # ### ####',
    tld: 'ie',
  },
  {
    code: 'AU',
    weight: 3,
    cities: ['Sydney', 'Melbourne', 'Brisbane', 'Perth', 'Adelaide'],
    phone: '+61 # #### ####',
    tld: 'com.au',
  },
  {
    code: 'IN',
    weight: 3,
    cities: ['Bengaluru', 'Mumbai', 'Delhi', 'Hyderabad', 'Pune', 'Chennai'],
    phone: '+91 ##### #####',
    tld: 'in',
  },
  {
    code: 'JP',
    weight: 2,
    cities: ['Tokyo', 'Osaka', 'Yokohama', 'Nagoya', 'Fukuoka'],
    phone: '+81 # #### ####',
    tld: 'jp',
  },
  {
    code: 'BR',
    weight: 2,
    cities: ['São Paulo', 'Rio de Janeiro', 'Belo Horizonte', 'Curitiba', 'Porto Alegre'],
    phone: '+55 ## #####-####',
    tld: 'com.br',
  },
  {
    code: 'MX',
    weight: 1,
    cities: ['Ciudad de México', 'Guadalajara', 'Monterrey'],
    phone: '+52 ## #### ####',
    tld: 'mx',
  },
  {
    code: 'SG',
    weight: 1,
    cities: ['Singapore'],
    phone: '+65 #### ####',
    tld: 'sg',
  },
  {
    code: 'ZA',
    weight: 1,
    cities: ['Johannesburg', 'Cape Town', 'Durban'],
    phone: '+27 ## ### ####',
    tld: 'co.za',
  },
];

export const FREE_MAIL_DOMAINS: readonly Weighted[] = weighted(`
  gmail.com:40, outlook.com:12, yahoo.com:8, hotmail.com:6, icloud.com:6, gmx.de:4, web.de:4,
  proton.me:3, orange.fr:2, libero.it:1, mail.ru:1
`);

/** HubSpot's lifecycle stages, most contacts early in the funnel. */
export const LIFECYCLE_STAGES: readonly Weighted[] = weighted(`
  subscriber:25, lead:30, marketingqualifiedlead:14, salesqualifiedlead:10, opportunity:8,
  customer:10, evangelist:2, other:1
`);

export const INDUSTRIES: readonly Weighted[] = weighted(`
  Computer Software:14, Information Technology and Services:12, Financial Services:7,
  Marketing and Advertising:6, Hospital & Health Care:5, Retail:5, Management Consulting:5,
  Real Estate:4, Construction:4, Automotive:3, Logistics and Supply Chain:3,
  Telecommunications:3, Education Management:3, Insurance:3, Banking:2, Pharmaceuticals:2,
  Food & Beverages:2, Machinery:2, Renewables & Environment:2, Legal Services:2,
  Hospitality:2, Media Production:1, Biotechnology:1, Aviation & Aerospace:1, Non-Profit:1
`);

export const COMPANY_WORDS_A: readonly string[] = list(`
  Acme, Apex, Blue, Bright, Cedar, Clear, Cobalt, Copper, Crystal, Delta, Eagle, Echo,
  Evergreen, Falcon, First, Fox, Global, Golden, Granite, Green, Harbor, Horizon, Iron,
  Ivory, Jade, Keystone, Lake, Lime, Lunar, Maple, Meridian, Metro, North, Nova, Oak, Omega,
  Orbit, Pacific, Peak, Pine, Pioneer, Polar, Prime, Quantum, Red, River, Rock, Sage, Silver,
  Sky, Solar, Star, Stone, Summit, Sun, Swift, Terra, Tide, True, Union, Vector, Vertex,
  Vista, West, Wild, Zen, Nordwind, Alpen, Rhein, Elbe, Baltic
`);

export const COMPANY_WORDS_B: readonly string[] = list(`
  Analytics, Bio, Bridge, Capital, Cloud, Code, Commerce, Data, Design, Dynamics, Energy,
  Engineering, Foods, Freight, Health, Industries, Insights, Labs, Logistics, Media, Metrics,
  Mobility, Networks, Partners, Pharma, Power, Robotics, Security, Software, Solutions,
  Systems, Tech, Telecom, Textiles, Tools, Travel, Ventures, Works, Consulting, Finance
`);

/** Legal-form suffix by country. */
export const COMPANY_SUFFIX: Readonly<Record<string, readonly string[]>> = {
  US: ['Inc.', 'LLC', 'Corp.'],
  CA: ['Inc.', 'Ltd.'],
  GB: ['Ltd', 'plc'],
  IE: ['Ltd'],
  DE: ['GmbH', 'AG', 'GmbH & Co. KG'],
  AT: ['GmbH', 'AG'],
  CH: ['AG', 'GmbH', 'SA'],
  FR: ['SAS', 'SA', 'SARL'],
  NL: ['B.V.', 'N.V.'],
  ES: ['S.L.', 'S.A.'],
  IT: ['S.r.l.', 'S.p.A.'],
  SE: ['AB'],
  DK: ['ApS', 'A/S'],
  PL: ['sp. z o.o.', 'S.A.'],
  AU: ['Pty Ltd'],
  IN: ['Pvt. Ltd.'],
  JP: ['K.K.'],
  BR: ['Ltda.', 'S.A.'],
  MX: ['S.A. de C.V.'],
  SG: ['Pte. Ltd.'],
  ZA: ['(Pty) Ltd'],
};

export const DEAL_PRODUCTS: readonly string[] = list(`
  Enterprise plan, Professional plan, Starter plan, Annual renewal, Upsell: extra seats,
  Onboarding package, Data migration, Premium support, Consulting days, Pilot project,
  Security add-on, Analytics add-on, Multi-year agreement, Expansion EMEA,
  Expansion North America, Hardware refresh, Training workshop, API access
`);

/** Deal stages with their weight and the default probability (%) of each stage. */
export const DEAL_STAGES: readonly [string, number, number][] = [
  ['appointmentscheduled', 20, 20],
  ['qualifiedtobuy', 18, 40],
  ['presentationscheduled', 14, 60],
  ['decisionmakerboughtin', 10, 80],
  ['contractsent', 8, 90],
  ['closedwon', 18, 100],
  ['closedlost', 12, 0],
];

/** Demo users' business units and teams (created only when the account has nobody but admins). */
export const DEMO_BUSINESS_UNITS: readonly string[] = ['Demo EMEA', 'Demo Americas', 'Demo APAC'];
export const DEMO_TEAMS: readonly string[] = [
  'Demo Inbound Sales',
  'Demo Enterprise Sales',
  'Demo Customer Success',
  'Demo Partnerships',
];
