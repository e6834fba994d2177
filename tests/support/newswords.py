"""Vocabulary of the invented test news (tests/support/newstext.py): real countries, plausible actors.

Every table is written for this test site; none of it is copied from an article. The slots are many and
varied so that two generated articles share few five-word runs (stories group copies, not topics).
"""

from __future__ import annotations

from typing import NamedTuple


class Country(NamedTuple):
    name: str
    adjective: str
    capital: str
    cities: tuple[str, ...]
    leader: str  # title and name as a wire writes it after the adjective ("President Emmanuel Macron")


COUNTRIES = (
    Country("France", "French", "Paris", ("Lyon", "Marseille", "Lille"), "President Emmanuel Macron"),
    Country("Germany", "German", "Berlin", ("Hamburg", "Munich", "Cologne"), "Chancellor Olaf Scholz"),
    Country("Russia", "Russian", "Moscow", ("Kazan", "Belgorod", "Kursk"), "President Vladimir Putin"),
    Country("Ukraine", "Ukrainian", "Kyiv", ("Kharkiv", "Odesa", "Zaporizhzhia"), "President Volodymyr Zelenskiy"),
    Country("Kenya", "Kenyan", "Nairobi", ("Mombasa", "Kisumu", "Garissa"), "President William Ruto"),
    Country("Sudan", "Sudanese", "Khartoum", ("Port Sudan", "El Fasher", "Omdurman"),
            "army chief Abdel Fattah al-Burhan"),
    Country("Ethiopia", "Ethiopian", "Addis Ababa", ("Mekelle", "Gondar", "Dire Dawa"), "Prime Minister Abiy Ahmed"),
    Country("Egypt", "Egyptian", "Cairo", ("Alexandria", "Aswan", "Port Said"), "President Abdel Fattah al-Sisi"),
    Country("Israel", "Israeli", "Jerusalem", ("Tel Aviv", "Haifa", "Eilat"), "Prime Minister Benjamin Netanyahu"),
    Country("Iran", "Iranian", "Tehran", ("Isfahan", "Tabriz", "Shiraz"), "President Masoud Pezeshkian"),
    Country("Turkey", "Turkish", "Ankara", ("Istanbul", "Izmir", "Gaziantep"), "President Tayyip Erdogan"),
    Country("China", "Chinese", "Beijing", ("Shanghai", "Guangzhou", "Xiamen"), "President Xi Jinping"),
    Country("Japan", "Japanese", "Tokyo", ("Osaka", "Nagasaki", "Sapporo"), "Prime Minister Shigeru Ishiba"),
    Country("India", "Indian", "New Delhi", ("Mumbai", "Kolkata", "Chennai"), "Prime Minister Narendra Modi"),
    Country("Pakistan", "Pakistani", "Islamabad", ("Karachi", "Lahore", "Peshawar"), "Prime Minister Shehbaz Sharif"),
    Country("Brazil", "Brazilian", "Brasilia", ("Sao Paulo", "Recife", "Manaus"),
            "President Luiz Inacio Lula da Silva"),
    Country("Mexico", "Mexican", "Mexico City", ("Monterrey", "Tijuana", "Guadalajara"), "President Claudia Sheinbaum"),
    Country("Colombia", "Colombian", "Bogota", ("Medellin", "Cali", "Cucuta"), "President Gustavo Petro"),
    Country("Nigeria", "Nigerian", "Abuja", ("Lagos", "Kano", "Maiduguri"), "President Bola Tinubu"),
    Country("South Africa", "South African", "Pretoria", ("Johannesburg", "Durban", "Cape Town"),
            "President Cyril Ramaphosa"),
    Country("Mali", "Malian", "Bamako", ("Gao", "Timbuktu", "Mopti"), "junta leader Assimi Goita"),
    Country("Somalia", "Somali", "Mogadishu", ("Kismayo", "Baidoa", "Beledweyne"), "President Hassan Sheikh Mohamud"),
    Country("Syria", "Syrian", "Damascus", ("Aleppo", "Homs", "Idlib"), "interim President Ahmed al-Sharaa"),
    Country("Iraq", "Iraqi", "Baghdad", ("Basra", "Mosul", "Erbil"), "Prime Minister Mohammed Shia al-Sudani"),
    Country("Poland", "Polish", "Warsaw", ("Krakow", "Gdansk", "Rzeszow"), "Prime Minister Donald Tusk"),
    Country("Serbia", "Serbian", "Belgrade", ("Novi Sad", "Nis", "Subotica"), "President Aleksandar Vucic"),
    Country("Armenia", "Armenian", "Yerevan", ("Gyumri", "Vanadzor", "Goris"), "Prime Minister Nikol Pashinyan"),
    Country("Azerbaijan", "Azerbaijani", "Baku", ("Ganja", "Sumgait", "Lankaran"), "President Ilham Aliyev"),
    Country("Venezuela", "Venezuelan", "Caracas", ("Maracaibo", "Valencia", "Barquisimeto"),
            "President Nicolas Maduro"),
    Country("Vietnam", "Vietnamese", "Hanoi", ("Ho Chi Minh City", "Da Nang", "Haiphong"),
            "Prime Minister Pham Minh Chinh"),
    Country("Indonesia", "Indonesian", "Jakarta", ("Surabaya", "Medan", "Makassar"), "President Prabowo Subianto"),
    Country("Saudi Arabia", "Saudi", "Riyadh", ("Jeddah", "Dammam", "Tabuk"), "Crown Prince Mohammed bin Salman"),
    Country("Afghanistan", "Afghan", "Kabul", ("Kandahar", "Herat", "Jalalabad"),
            "Taliban spokesman Zabihullah Mujahid"),
    Country("Morocco", "Moroccan", "Rabat", ("Casablanca", "Tangier", "Agadir"), "King Mohammed VI"),
    Country("Chile", "Chilean", "Santiago", ("Valparaiso", "Antofagasta", "Concepcion"), "President Gabriel Boric"),
)

LEADER_TITLES = ("interim President", "President", "Prime Minister", "Chancellor", "Crown Prince", "King",
                 "junta leader", "army chief", "Taliban spokesman")

ORGANIZATIONS = (
    ("The United Nations", "UN", "New York"), ("The European Union", "EU", "Brussels"),
    ("The African Union", "African Union", "Addis Ababa"), ("NATO", "NATO", "Brussels"),
    ("The World Health Organization", "WHO", "Geneva"), ("The Arab League", "Arab League", "Cairo"),
    ("The International Committee of the Red Cross", "Red Cross", "Geneva"),
    ("The Organization of American States", "OAS", "Washington"),
)

TOPICS = (
    "border security", "energy supplies", "grain exports", "a prisoner exchange", "migration routes",
    "water sharing", "debt relief", "a ceasefire proposal", "fishing rights", "nuclear inspections",
    "arms sales", "climate finance", "visa rules", "rail links", "gas pipeline tariffs", "refugee returns",
    "maritime boundaries", "customs checks", "cyber security", "election monitoring", "mining licences",
    "drought relief", "port access", "air routes", "fertiliser shipments", "vaccine production",
)

ACTIONS = (
    "air strikes", "detention of journalists", "missile test", "border closure", "crackdown on protesters",
    "naval exercises", "seizure of a cargo ship", "expulsion of aid workers", "troop build-up",
    "ban on opposition parties", "shelling of villages", "drone incursions",
)

ACCUSATIONS = (
    "funding armed groups", "meddling in its elections", "smuggling weapons across the border",
    "spying on its military bases", "blocking humanitarian convoys", "hacking government servers",
    "harbouring fugitive rebels", "violating a truce signed last year", "dumping steel on its market",
    "detaining its citizens without charge", "diverting water from a shared river",
)

DEMANDS = (
    "open safe corridors for aid convoys", "release detained protesters", "halt air strikes on residential areas",
    "let independent observers into the region", "return to the negotiating table", "pull back heavy weapons",
    "protect hospitals and schools", "lift the blockade of the port", "investigate reports of mass arrests",
    "allow journalists to work freely",
)

NEEDS = ("flood recovery", "drought relief", "rebuilding schools", "a cholera outbreak", "repairing power plants",
         "feeding displaced families", "clearing landmines", "restoring water supplies")

TARGETS = ("officials", "banks", "shipping firms", "arms makers", "energy companies", "army commanders",
           "mining companies", "airlines")

GRIEVANCES = ("the occupation of border villages", "rising fuel prices", "the arrest of a popular cleric",
              "new fishing quotas", "the killing of a student", "a proposed dam upstream", "visa restrictions",
              "the detention of migrant workers", "a controversial land deal")

MATTERS = ("a plot to attack a police station", "an arms smuggling ring", "violent clashes at a rally",
           "the theft of fuel from a pipeline", "a kidnapping near the border", "a bombing at a market",
           "an attack on a military convoy", "people trafficking across the border")

THREATS = ("cut gas deliveries", "close its airspace", "recall its ambassador", "suspend trade talks",
           "deploy troops to the border", "freeze the assets of its companies", "end security cooperation",
           "expel its diplomats")

PLANS = ("a new dam on their shared river", "a military base near the frontier", "joining a rival alliance",
         "drilling in disputed waters", "a census in the border provinces", "a referendum on the coastal strip",
         "tariffs on its farm goods")

BUILDINGS = ("apartment block", "school", "power substation", "grain warehouse", "bus depot", "market hall",
             "hospital annex", "railway station")

DISTRICTS = ("northern", "eastern", "western", "southern", "central", "riverside", "industrial", "old")

QUOTE_CORES = (
    "We will not accept {x}", "Nobody in {a_capital} wants an escalation, but {x} is a red line",
    "Our patience with {B} has limits, and {x} goes beyond them",
    "This is about the safety of ordinary people in {a_city}", "The door to talks on {topic} remains open",
    "We have made our position on {topic} very clear to {B}", "History will judge those responsible for {x}",
    "{B} must choose between dialogue and isolation", "We expect concrete steps from {b_capital}, not promises",
    "Every family in {a_city} deserves to live without fear",
)

QUOTE_OBJECTS = (
    "threats to our sovereignty", "this kind of pressure", "attacks on civilians", "any change to the border by force",
    "the collapse of the truce", "collective punishment", "interference in our affairs", "broken promises",
)

SPEAKERS = ("the minister", "a government spokesperson", "the deputy foreign minister", "a senior presidential aide",
            "the defence minister", "the interior minister", "the ambassador")

ATTRIBUTIONS = (
    "{speaker} told reporters in {a_capital}", "{speaker} said in a televised address",
    "{speaker} wrote on social media late on {day}", "{speaker} said at a news conference in {a_city}",
    "{speaker} told parliament", "{speaker} said after a cabinet meeting",
)

REACTIONS = (
    "{B}'s foreign ministry rejected the {criticism} as {adjective}, saying its {forces} were acting within the law.",
    "Officials in {b_capital} did not respond to requests for comment on {topic} by {day} evening.",
    "{b_leader_full}'s office said {B} would {b_response} and summoned {A}'s ambassador on {day}.",
    "A spokesperson for the {b_adj} government called the {criticism} {adjective} and warned of {consequence}.",
    "{B} denied the account, and its state television showed {b_adj} officials touring {b_city} on {day}.",
    "{b_adj} lawmakers from several parties demanded that {b_capital} {b_response} in answer to {A}.",
)

CRITICISMS = ("remarks", "accusations", "statement", "claims", "criticism", "charges")
ADJECTIVES = ("baseless", "hostile", "irresponsible", "absurd", "provocative", "politically motivated", "false")
RESPONSES = ("review its ties with {A}", "take all necessary measures", "raise the issue at the United Nations",
             "suspend a planned visit by {a_adj} officials", "respond in kind", "file a formal protest")
CONSEQUENCES = ("serious consequences for trade", "a wider crisis in the region", "damage to years of cooperation",
                "retaliation against {a_adj} companies", "a new wave of refugees")

THIRD_PARTIES = (
    "{igo} called on both sides to {demand} and offered to host talks in {igo_city}.",
    "{igo} said it was alarmed by the events in {place} and urged {A} and {B} to show restraint.",
    "{igo_short} diplomats said a closed-door meeting on {topic} could be held as early as {next_day}.",
    "{C}, a partner of both {A} and {B}, urged the two governments to settle the dispute over {topic} peacefully.",
    "{c_adj} {c_leader} said on {day} that {C} was ready to mediate between {a_capital} and {b_capital}.",
    "{igo} sent an envoy to {b_capital} and said {n3} of its staff remained in {b_city}.",
)

CONTEXTS = (
    "Relations between {A} and {B} have been strained since {year}, when a dispute over {topic2} led to "
    "the closure of consulates in {a_city} and {b_city}.",
    "{A} is among {B}'s ten largest trading partners, with two-way trade worth about {amount} in {year}.",
    "{A} and {B} restored full diplomatic ties in {year} after a {n3}-year break over {topic2}.",
    "More than {n2},{n3:03d} people have fled {b_city} since {year}, according to figures from {igo_short}.",
    "Talks on {topic2} between {a_capital} and {b_capital} stalled in {year} and were revived only last {month}.",
    "Security analysts in {a_city} say the {b_adj} army has moved {n3} battalions closer to {b_city} this year.",
    "The {b_adj} economy shrank by {n3} percent last year, and inflation in {b_city} has pushed up bread prices.",
)

OUTLOOKS = (
    "Talks are expected to resume in {c_capital} in {month}, two officials familiar with the plans said.",
    "{A}'s parliament is due to debate the issue on {next_day}, and opposition leaders want a vote on {topic2}.",
    "Analysts in {a_capital} said the row could delay a summit on {topic2} planned for {month}.",
    "A follow-up meeting of {a_adj} and {b_adj} experts on {topic2} is scheduled for {month} in {c_capital}.",
    "{B}'s cabinet will meet on {next_day} to discuss its response, state media in {b_capital} reported.",
)

UPDATES = (
    "Update: Later on {day}, {B}'s government said it had recalled its ambassador from {a_capital} for "
    "consultations, and {a_adj} officials said {n3} more {b_adj} citizens had been detained.",
    "Update: {igo} said in the evening that a team of {n3} monitors would travel to {b_city}, and {A} said it "
    "would postpone the vote on {topic2}.",
    "Update: This story has been updated with a statement from {b_leader_full} and new casualty figures from "
    "officials in {b_city}, who said {n3} people remained missing.",
)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

AGENCIES = ("Newswire", "Meridian Wire", "Harbourline", "Continental Press")
FIRST_NAMES = ("Amina", "Lucas", "Priya", "Tomasz", "Nadia", "Kwame", "Elena", "Hiro", "Sofia", "Omar",
               "Ingrid", "Mateo", "Leila", "Daniel", "Chiara", "Yusuf")
LAST_NAMES = ("Okafor", "Lindqvist", "Mehta", "Novak", "Haddad", "Mensah", "Petrova", "Tanaka", "Alvarez",
              "Rahman", "Berg", "Costa", "Farouk", "Keller", "Rossi", "Demir")

SITE_NAMES = ("The Daily Courier", "Global Dispatch", "Evening Ledger", "Harbor Times", "Meridian Post",
              "The Northern Record", "World Bulletin", "Capital Observer")
