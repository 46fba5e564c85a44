"""A deterministic, mixed-format, mixed-encoding sample news corpus for loader tests.

``build_mixed_corpus(root, n, seed)`` writes a folder tree of fictional news
articles in every format the contract reads (.txt, .text, .md, .markdown,
.html, .htm, .json, .jsonl, .ndjson, .jsonl.gz), in UTF-8, UTF-8 with BOM,
UTF-16, Windows-1252 and Latin-1, plus bad inputs and files to pass over, and
returns what a correct loader must extract from it.

Everything is invented: towns, councils, companies, people, sources.  URLs use
the reserved ``.example`` top-level domain.  Pure standard library; it does
not import ``searchengine``.
"""

from __future__ import annotations

import email.utils
import gzip
import html
import html.entities
import json
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

__all__ = ["ENCODINGS", "ExpectedArticle", "ExpectedProblem", "build_mixed_corpus"]


@dataclass(frozen=True)
class ExpectedArticle:
    relpath: str  # path relative to root, '/'-separated
    record: int | None  # 0-based line (JSONL, blank lines counted) or array index (JSON array)
    title: str
    date: str | None  # 'YYYY-MM-DD', the local date the source states
    source: str | None
    author: str | None  # lists joined with ', '
    url: str | None
    body_contains: tuple[str, ...]  # exact sentences that must appear in the extracted body
    body_excludes: tuple[str, ...]  # text that must not appear in the extracted body
    encoding: str  # Python codec the file was written in


@dataclass(frozen=True)
class ExpectedProblem:
    relpath: str
    record: int | None
    kind: Literal["skipped", "error"]


#: The encodings files are written in (Python codec names).
ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1")

# Typographic characters, written as escapes so the source stays plain.
LQ, RQ, LSQ, APOS, EMDASH, ENDASH, ELLIPSIS = (
    "\u201c",
    "\u201d",
    "\u2018",
    "\u2019",
    "\u2014",
    "\u2013",
    "\u2026",
)

# --------------------------------------------------------------------------
# Word lists (all fictional)
# --------------------------------------------------------------------------

TOWNS = (
    "Northfield", "Marrowby", "Kellingford", "Brantholme", "Saltmere", "Ashcombe Cross",
    "Dunmere", "Carrow Bay", "Pellerby", "Quarrendon", "Oakhurst Vale", "Wrenfield",
    "Lowenmouth", "Thistlebury", "Fennick", "Greyhaven", "Holloway Reach", "Stannard",
    "Bexmoor", "Easterby", "Millbrook Quay", "Sorrel Point", "Tarnwick", "Ulvercombe",
    "Vellan", "Yarrowdale", "Zellwick", "Port Annick", "Heddon Falls", "Gorsley",
)  # fmt: skip

ACCENT_PLACES = (
    "Vérandières",
    "Lüderhof",
    "Peñascal",
    "Saint-Émeric",
    "Zürich",
    "Bréville-sur-Lenne",
)

FIRST_NAMES = (
    "Ana", "Tomas", "Priya", "Owen", "Margit", "Kwame", "Lucía", "Sören", "Hélène", "Joaquín",
    "Maeve", "Darius", "Inés", "Callum", "Zoë", "Rhiannon", "Felix", "Noor", "Björn", "Amélie",
    "Ibrahim", "Carys", "François", "Yusuf", "Greta", "Mateo", "Ngozi", "Aoife", "Stellan",
    "Renée", "Idris", "Rosalind", "Gunnar", "Anneliese", "Olaf", "Wiktor",
)  # fmt: skip

LAST_NAMES = (
    "Halloran", "Vasquez", "Okafor", "Brandt", "Ferrand", "Lindqvist", "Moreau", "Ibáñez",
    "Castellanos", "Pryce", "Achterberg", "Kowalczyk", "Nakamura", "Dufresne", "Whitcombe",
    "Garnier", "Müller", "Østergaard", "Teague", "Fenwick", "Brennan", "Peñalosa", "Çelik",
    "Łukasik", "Ferreira", "Abernethy", "Delacroix", "Sørensen", "Quaile", "Ashdown",
)  # fmt: skip

SOURCES: tuple[tuple[str, str], ...] = (
    ("Northfield Gazette", "northfieldgazette.example"),
    ("Coastal Wire", "coastalwire.example"),
    ("Marrowby Evening Post", "marrowbypost.example"),
    ("The Valley Courier", "valleycourier.example"),
    ("Harbour & District Times", "harbourtimes.example"),
    ("Kellingford Chronicle", "kellingfordchronicle.example"),
    ("Saltmere Observer", "saltmereobserver.example"),
    ("Brightline News Agency", "brightline.example"),
    ("Fennick Daily Record", "fennickrecord.example"),
    ("Le Courrier de Vérandières", "courrier-verandieres.example"),
    ("Radio Dunmere", "radiodunmere.example"),
    ("Pellerby Independent", "pellerbyindependent.example"),
)

COMPANIES = (
    "Brightwater Systems", "Halden & Frey", "Northgate Logistics", "Tidewell Foods",
    "Corran Shipping", "Ostler Rail", "Greyhaven Energy", "Mistral Cables",
)  # fmt: skip

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip

ROLES = (
    "the harbour master", "a district councillor", "the council leader", "a local shopkeeper",
    "the mediator", "a union representative", "the museum's curator", "a retired fisherman",
    "the fire service's duty officer", "a hospital consultant", "the head teacher",
    "a spokesperson for the regional authority", "the chair of the residents' association",
)  # fmt: skip

# Each topic: titles, body sentences, quotes, a one-line summary, subheadings and list items.
# Placeholders: {town} {town2} {p1} {p2} {p3} {p4} {r1} {r2} {n} {n2} {money} {wd} {month} {company} {acc}
TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "harbour": {
        "titles": (
            "{town} councillors back harbour dredging plan",
            "Ferry operator adds winter sailings from {town}",
            "Storm damage closes {town} harbour wall for repairs",
            "{town} harbour board names new harbour master",
            "Fishing fleet returns to {town} after quayside works",
            "{town} ferry fares to rise by {n} per cent",
        ),
        "sentences": (
            "The harbour wall at {town} was damaged in the storms last winter and has been closed to the public since {month}.",
            "Engineers say the dredging work will deepen the channel by about {n2} metres and should take {n} weeks.",
            "The ferry to {town2} will run an extra sailing on {wd} mornings from the start of next month.",
            "Fishing crews have complained for years that silt in the harbour entrance makes the channel dangerous at low tide.",
            "The harbour board approved a budget of {money} for the repairs at its meeting on {wd}.",
            "Passengers using the ferry have been told to allow an extra twenty minutes for boarding while the new pontoon is fitted.",
            "Two small boats ran aground near the harbour mouth during the summer, according to the coastguard.",
            "The slipway, which dates from the 1890s, will be strengthened in a second phase of work next spring.",
            "Traders on the quay say the closure cost them much of the summer season.",
            "The ferry company, {company}, said its larger vessel would return to service once the harbour works are finished.",
            "A consultation on the future of the fish market will open in {month}.",
        ),
        "quotes": (
            "The harbour is the reason this town exists, and we cannot let it silt up",
            "Nobody wants to see the ferry cancelled again this winter",
            "We have waited long enough for the wall to be fixed",
        ),
        "summary": ("Work on the harbour at {town} is set to begin after months of delay.",),
        "subheads": (
            "What happens to the ferry",
            "Cost of the works",
            "Next steps for the harbour",
        ),
        "items": (
            "the quay car park will close for six weeks",
            "ferry timetables will change on Monday",
            "fishing boats will moor at the north pier",
        ),
    },
    "flood": {
        "titles": (
            "Flood warning issued for {town} as river rises",
            "{town} residents count the cost of flooding",
            "Sandbags handed out in {town} ahead of heavy rain",
            "New flood barrier for {town} delayed again",
            "Insurers visit flooded homes in {town}",
            "{town} school closed after floodwater reaches classrooms",
        ),
        "sentences": (
            "The river at {town} rose by nearly {n2} metres in {n} hours after heavy rain across the hills.",
            "Residents were told to move valuables upstairs and to keep away from the riverside paths.",
            "Sandbags are being handed out at the fire station and at the old market hall until midnight.",
            "More than {n} homes in the lower part of the town were flooded, according to the regional authority.",
            "The proposed flood barrier would cost {money} and has been debated by the council for more than a decade.",
            "Firefighters used pumps through the night to clear water from the high street.",
            "Forecasters expect the rain to ease by {wd} afternoon, but the river is likely to stay high for several days.",
            "Shopkeepers who were flooded in 2019 say they had only just finished repairing their premises.",
            "The water authority said its gauges on the upper river recorded the highest levels for eleven years.",
            "Volunteers from {town2} drove up with dry clothes, blankets and hot food for families who had to leave their homes.",
            "Insurance assessors are expected to visit the worst-hit streets from {wd}.",
        ),
        "quotes": (
            "We are not telling people to leave tonight, but we want everyone ready",
            "The water came under the door faster than anyone expected",
            "Every winter we hear promises about the barrier, and every winter we get wet",
        ),
        "summary": ("Residents of {town} have been warned to prepare for flooding.",),
        "subheads": ("What residents should do", "The barrier debate", "Help for flooded homes"),
        "items": (
            "move cars away from the riverside car parks",
            "keep medicines and documents somewhere dry",
            "check on elderly neighbours",
        ),
    },
    "council": {
        "titles": (
            "{town} council approves budget after late night vote",
            "Councillors in {town} vote to close branch library",
            "{town} council tax to rise by {n} per cent",
            "Opposition walks out of {town} council meeting",
            "{town} council vote ends row over parking charges",
            "{town} council leader survives confidence vote",
        ),
        "sentences": (
            "The council vote was carried by {n} votes to {n2} after a debate lasting almost four hours.",
            "Councillors were told that the authority faces a gap of {money} in next year's budget.",
            "The proposal will now go to a public consultation before a final vote in {month}.",
            "Members of the opposition group said the plan had been rushed through without proper scrutiny.",
            "Residents packed the public gallery of the town hall in {town}, and several had to stand in the corridor.",
            "The leader of the council said difficult choices could not be put off any longer.",
            "Under the plan, charges at the {town} seafront car parks would rise from next spring.",
            "A petition against the proposal gathered more than {n} thousand signatures in a fortnight.",
            "The council's finance committee will publish its full recommendations on {wd}.",
            "Neighbouring {town2} took a similar decision last year and later reversed it after protests.",
            "Officials said no jobs would be lost as a result of the decision.",
        ),
        "quotes": (
            "This is not the budget any of us wanted, but it is the one we can afford",
            "The people of this town were never asked",
            "We will keep fighting this decision in the chamber and outside it",
        ),
        "summary": ("The council in {town} has taken a disputed decision after a long debate.",),
        "subheads": ("How councillors voted", "What it means for residents", "Reaction"),
        "items": (
            "the library will open three days a week",
            "parking charges rise in April",
            "grants for community groups are frozen",
        ),
    },
    "peace": {
        "titles": (
            "Orvane and Tessaly agree to new round of peace talks in {town}",
            "Peace talks in {town} stall over border villages",
            "Mediator optimistic as peace talks resume in {town}",
            "Prisoner exchange agreed at {town} peace talks",
            "Ceasefire holds as delegations arrive in {town}",
        ),
        "sentences": (
            "Delegations from Orvane and Tessaly met for {n} hours on {wd} in a hotel on the edge of {town}.",
            "The peace talks are the first direct contact between the two sides since the ceasefire collapsed in {month}.",
            "The mediator, {p2}, shuttled between the two delegations with draft texts late into the evening.",
            "Both sides said the ceasefire along the river border would hold while the peace talks continue.",
            "Aid agencies say about {n} thousand people remain displaced from the border villages.",
            "A previous round of talks in {town2} broke down after each side accused the other of blocking aid convoys.",
            "Diplomats said the question of water rights on the upper river remains the hardest issue to settle.",
            "Local businesses in {town} have welcomed the visitors, although some roads near the venue are closed.",
            "The two delegations are expected to publish a joint statement at the end of the week.",
            "Observers from several neighbouring states are attending the talks at the invitation of the mediator.",
        ),
        "quotes": (
            "For the first time, both delegations have the same map on the table",
            "Peace will not be signed in a week, but it can be started in one",
            "The families in the border villages cannot wait for another winter of talks",
        ),
        "summary": ("Peace talks between Orvane and Tessaly have resumed in {town}.",),
        "subheads": ("The sticking points", "Who is at the table", "What comes next"),
        "items": (
            "a ceasefire along the river border",
            "the return of displaced families",
            "the exchange of prisoners",
        ),
    },
    "rail": {
        "titles": (
            "Rail strike halts trains between {town} and {town2}",
            "{town} station reopens after signal upgrade",
            "Commuters in {town} face weeks of replacement buses",
            "New timetable cuts evening trains to {town}",
        ),
        "sentences": (
            "No trains ran between {town} and {town2} on {wd} as drivers walked out in a dispute over rosters.",
            "The operator, {company}, said replacement buses would run every half hour but warned of long queues.",
            "Union representatives said the strike could be repeated every {wd} until the end of {month}.",
            "The signal upgrade at {town} station cost {money} and overran by {n} weeks.",
            "Passengers complained that the replacement buses did not stop at the smaller villages on the line.",
            "The last train from the city will now leave at ten o'clock instead of half past eleven.",
            "Regional ministers have offered to chair talks between the operator and the union.",
            "Ticket sales on the line have still not recovered to the levels seen before the pandemic.",
        ),
        "quotes": (
            "We did not take this decision lightly, but our members have had enough",
            "People need to get to work, and at the moment they simply cannot",
        ),
        "summary": ("Rail passengers around {town} face disruption.",),
        "subheads": ("Which services are affected", "The dispute"),
        "items": (
            "replacement buses from the station forecourt",
            "tickets valid on local buses",
            "no trains after seven in the evening",
        ),
    },
    "museum": {
        "titles": (
            "{town} museum reopens after two year restoration",
            "Festival brings record crowds to {town}",
            "Lost painting returns to {town} gallery",
            "{town} library celebrates its centenary",
        ),
        "sentences": (
            "More than {n} hundred visitors queued outside the museum in {town} for the reopening on {wd} evening.",
            "The restoration cost {money}, most of it raised from a heritage grant and a public appeal.",
            "The new gallery includes a room devoted to the lifeboat crews who worked the coast in the last century.",
            "Volunteers spent {n} months cleaning and repainting the figurehead of an old schooner for the exhibition.",
            "Entry will remain free for residents of the district, the museum's trustees confirmed.",
            "A programme of winter talks will include an evening on the history of the ferry crossing.",
            "The festival's organisers said takings were well above last year's, despite a wet {wd}.",
            "Schoolchildren from {town2} helped to design the trail that leads visitors through the old warehouses.",
            "The painting, a view of the harbour at dusk, had been missing since a burglary in the 1970s.",
        ),
        "quotes": (
            "People said a museum was a luxury, and tonight shows the town wanted it back",
            "Every object in this room was given to us by a family from the town",
        ),
        "summary": ("Culture lovers in {town} have a reason to celebrate.",),
        "subheads": ("Inside the new galleries", "Opening times"),
        "items": ("open Tuesday to Sunday", "free entry for residents", "late opening on Fridays"),
    },
    "school": {
        "titles": (
            "{town} parents fight plan to merge primary schools",
            "New secondary school for {town} gets the go ahead",
            "{town} teachers vote to accept pay offer",
            "Roof repairs close {town} school for a week",
        ),
        "sentences": (
            "Parents in {town} have collected {n} hundred signatures against the plan to merge the two primary schools.",
            "The education authority says falling pupil numbers make the smaller school too expensive to run.",
            "The new secondary school will have places for {n} hundred pupils and is due to open in {month} next year.",
            "Pupils will be taught in temporary classrooms at the sports centre while the roof is repaired.",
            "The head teacher, {p2}, wrote to families on {wd} to explain the decision.",
            "Teachers voted by a large majority to accept an offer worth {n} per cent over two years.",
            "Bus routes from {town2} will be changed so that pupils can reach the new site.",
            "Governors said they would publish the full consultation responses before the end of term.",
        ),
        "quotes": (
            "A village without a school is a village that is slowly closing down",
            "Our first concern is that the children are safe and warm",
        ),
        "summary": ("Families in {town} are waiting for a decision about local schools.",),
        "subheads": ("What parents say", "The numbers"),
        "items": (
            "consultation closes in six weeks",
            "meetings at both schools",
            "a final decision in the spring",
        ),
    },
    "health": {
        "titles": (
            "New hospital wing opens in {town}",
            "{town} clinic to close on weekends",
            "Ambulance waits in {town} worst in the region",
            "{town} surgery recruits {n} new doctors",
        ),
        "sentences": (
            "The new wing at {town} hospital has {n} beds and a dedicated unit for older patients.",
            "Patients will have to travel to {town2} for weekend appointments from the start of {month}.",
            "Figures published on {wd} show that ambulances took an average of {n} minutes longer than the target to arrive.",
            "The health board said the changes were needed because it could not recruit enough nurses.",
            "Campaigners held a candlelit vigil outside the clinic on {wd} evening.",
            "The surgery has struggled to find doctors since two partners retired last year.",
            "The building cost {money} and was paid for by the regional health board.",
            "Hospital managers said waiting lists had started to fall for the first time in two years.",
        ),
        "quotes": (
            "Our staff have worked incredibly hard to get this wing open",
            "An hour on the road is a long time when you are ill",
        ),
        "summary": ("Health services in {town} are changing.",),
        "subheads": ("What changes for patients", "Staffing"),
        "items": (
            "weekday appointments are not affected",
            "the minor injuries unit stays open",
            "repeat prescriptions can be ordered online",
        ),
    },
    "energy": {
        "titles": (
            "Wind farm cable to come ashore near {town}",
            "{town} residents object to solar farm plan",
            "{company} to build battery plant at {town}",
            "Energy bills push {town} food bank to the limit",
        ),
        "sentences": (
            "The export cable from the offshore wind farm would be buried two metres below the beach at {town}.",
            "The developer, {company}, says the project will power about {n} hundred thousand homes.",
            "Objectors say the solar panels would cover {n} fields of good farmland.",
            "A public meeting in the village hall on {wd} was so busy that a second session had to be arranged.",
            "The battery plant would create around {n} hundred jobs, according to the company.",
            "The food bank said demand had doubled since energy prices began to rise in {month}.",
            "Planning officers are expected to make a recommendation to councillors before the end of the year.",
            "The substation would be built on a raised platform because the site is on low ground behind the dunes.",
        ),
        "quotes": (
            "We are not against green energy, we are against losing our best farmland",
            "This is the biggest investment the town has seen in a generation",
        ),
        "summary": ("An energy project near {town} is dividing opinion.",),
        "subheads": ("The objections", "The jobs"),
        "items": (
            "the beach will close for six weeks",
            "construction traffic will use the bypass",
            "a community fund of one million",
        ),
    },
    "business": {
        "titles": (
            "{company} to cut jobs at {town} factory",
            "New owners for {town} shipyard",
            "{town} market traders protest over rent rises",
            "{company} opens new headquarters in {town}",
        ),
        "sentences": (
            "{company} said {n} hundred jobs at the {town} site were at risk because of falling orders.",
            "The shipyard has been bought by a consortium of local investors for an undisclosed sum.",
            "Market traders say their rents will rise by {n} per cent from {month}.",
            "The company's new headquarters will bring about {n} hundred office jobs to the town centre.",
            "Union officials said they would meet managers on {wd} to discuss alternatives to redundancies.",
            "The factory has made components for the rail industry in {town} for more than sixty years.",
            "Shop owners in {town2} said they feared the knock-on effect on their own trade.",
            "The regional development agency has offered a grant of {money} to keep the site open.",
        ),
        "quotes": (
            "This factory has been the heart of the town for three generations",
            "We want to grow here, and we want to hire people from here",
        ),
        "summary": ("Jobs in {town} are in the spotlight.",),
        "subheads": ("The jobs at risk", "Reaction in the town"),
        "items": (
            "talks with the union on Monday",
            "a support fund for workers",
            "a review in three months",
        ),
    },
    "sport": {
        "titles": (
            "{town} Rovers promoted after dramatic final day",
            "{town} hosts regional rowing championships",
            "New stadium plan for {town} Athletic",
            "{town} marathon raises record sum for lifeboats",
        ),
        "sentences": (
            "{town} Rovers won promotion with a goal in the final minute of the season against {town2}.",
            "More than {n} hundred rowers from across the region took part in the championships on the estuary.",
            "The club says the new stadium would hold {n} thousand spectators and include a community sports hall.",
            "The marathon raised {money} for the lifeboat station, beating the previous record by a wide margin.",
            "Supporters celebrated in the streets around the ground until late on {wd} night.",
            "The manager, {p2}, said the win was the proudest moment of his career.",
            "Organisers thanked the volunteers who marshalled the course despite heavy rain.",
            "The club's plans will be considered by the planning committee in {month}.",
        ),
        "quotes": (
            "These players have given everything for this town",
            "I have never seen the harbour front so full of people",
        ),
        "summary": ("Sporting success for {town}.",),
        "subheads": ("How the day unfolded", "What next for the club"),
        "items": ("a parade on Sunday", "tickets for next season on sale", "a new training ground"),
    },
    "weather": {
        "titles": (
            "Drought forces hosepipe ban across {town}",
            "Heatwave brings warning for {town} beaches",
            "Wildfire on {town} moor brought under control",
            "Snow cuts off villages above {town}",
        ),
        "sentences": (
            "The water company said reservoirs supplying {town} were at {n2}0 per cent of their normal level.",
            "Firefighters spent {n} days tackling the blaze on the moor above {town}.",
            "Lifeguards on the beaches near {town} rescued {n} swimmers during the hot weather.",
            "Snow drifts closed the road between {town} and {town2} for most of {wd}.",
            "Farmers say the dry spell has left pastures brown and hay in short supply.",
            "The regional authority opened cooling centres in libraries and community halls.",
            "Forecasters expect temperatures to return to normal by the end of the week.",
            "Volunteers with four-wheel-drive vehicles delivered food to isolated farms.",
        ),
        "quotes": (
            "I have farmed here for forty years and never seen the ground this dry",
            "Please do not light barbecues on the moor",
        ),
        "summary": ("Extreme weather is affecting {town}.",),
        "subheads": ("Advice for residents", "The forecast"),
        "items": (
            "no hosepipes or sprinklers",
            "report leaks to the water company",
            "check on vulnerable neighbours",
        ),
    },
}
TOPIC_NAMES = tuple(TOPICS)

# Generic sentences with non-ASCII characters (all encodable in Latin-1).
ACCENT_SENTENCES = (
    "Outside the café on the square in {town}, regulars said they had heard the news on the radio.",
    "A delegation from {acc} is expected to visit {town} before the end of the year.",
    "{p3}, who runs a crêperie near the station, said trade had been slow all week.",
    "The façade of the old town hall in {town} was lit up in blue on {wd} evening.",
    "One councillor admitted that the naïve hope of a quick decision had long since faded.",
    "The señora who owns the bakery on Quay Street said she would keep her doors open regardless.",
    "A choir from {acc} sang in the market square, and the café tables were full by noon.",
    "The résumé of the new chief executive, {p3}, includes ten years at a port in {acc}.",
    "Stalls sold crème brûlée, piña colada ice lollies and jalapeño pies along the river path.",
    "Herr Müller, a visitor from Lüderhof, said he had never seen the town so busy.",
    "The mayor of {acc} sent a message of support, read aloud by {p3} at the start of the meeting.",
    "Coffee at the harbour café now costs £2.40, up from £2.10 last year.",
    "The water in the estuary reached 19°C on {wd}, well above the seasonal average.",
)

GENERIC_SENTENCES = (
    "A further update is expected on {wd}.",
    "The story has been the main topic of conversation in the pubs and cafés of {town} this week.",
    "Officials said the full report would be published online once it had been checked.",
    "The regional authority has been asked to respond but had not done so by the time of publication.",
    "Similar plans have been discussed in {town2}, although no decision has been taken there.",
    "Local groups are organising a meeting at the community centre on {wd} evening.",
    "The figures will be reviewed again in {month}, when more information is available.",
    "Residents who want to comment can write to the town hall until the end of the month.",
    "Photographs shared on social media showed long queues in the centre of {town}.",
    "{p4}, {r1}, said the town had faced difficult times before and would do so again.",
)

ACCENT_TITLES = (
    "Café owners in {town} count the cost of a wet summer",
    "Crêperie on {town} quay wins regional award",
    "Visitors from {acc} fill {town} hotels",
    "Façade of {town} town hall to be restored",
)

# Boilerplate markers that must never reach an article's body.
NAV_TEXT = "Sign in to your account"
HEADER_TEXT = "Independent local journalism since 1874"
FOOTER_TEXT = "All rights reserved"
ASIDE_TEXT = "Most read this week"
RELATED_TEXT = "Related coverage"
SCRIPT_TEXT = "dataLayer"
STYLE_TEXT = "font-family"
COMMENT_TEXT = "ad slot"
COOKIE_TEXT = "We use cookies to improve your experience"
HTML_EXCLUDES = ("</p>", "<a ", "&amp;", "&quot;", "&#", "&rsquo;", "&eacute;")

# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

_FIT_MAP = {
    LQ: '"', RQ: '"', LSQ: "'", APOS: "'", EMDASH: "-", ENDASH: "-", ELLIPSIS: "...",
    "€": "EUR ", "Ł": "L", "ł": "l", "Œ": "OE", "œ": "oe", "Š": "S", "š": "s", "Ž": "Z", "ž": "z",
}  # fmt: skip


def _fit(text: str, encoding: str) -> str:
    """Make ``text`` encodable in ``encoding`` by replacing what it cannot hold."""
    if encoding.startswith("utf"):
        return text
    out: list[str] = []
    for ch in text:
        try:
            ch.encode(encoding)
            out.append(ch)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(_FIT_MAP.get(ch) or plain or "?")
    return "".join(out)


def _typeset(text: str, typographic: bool) -> str:
    """Straight quotes/dashes to typographic ones (or plain ASCII ones)."""
    if not typographic:
        return text.replace(" -- ", " - ")
    text = text.replace(" -- ", f" {EMDASH} ")
    out: list[str] = []
    open_quote = True
    for ch in text:
        if ch == '"':
            out.append(LQ if open_quote else RQ)
            open_quote = not open_quote
        elif ch == "'":
            out.append(APOS)
        else:
            out.append(ch)
    return "".join(out)


def _slug(text: str, digits: bool = True) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    if not digits:
        ascii_text = re.sub(r"[0-9]", "", ascii_text)
    words = re.findall(r"[a-z0-9]+", ascii_text)
    return "-".join(words[:7]) or "story"


def _has_non_ascii(text: str) -> bool:
    return any(ord(c) > 127 for c in text)


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

DateForm = Literal[
    "iso", "iso_z", "iso_frac_z", "iso_offset", "iso_naive", "iso_space",
    "rfc2822", "unix_s", "unix_ms", "long_us", "short_uk",
]  # fmt: skip

_OFFSETS = (-8, -5, -4, -3, 1, 2, 3, 5.5, 9)


def _date_value(day: date, form: DateForm, rng: random.Random) -> str | int:
    """Render ``day`` in ``form``; the local calendar date always stays ``day``.

    Zoned forms often use a time near midnight, so that shifting to UTC would
    change the day. Unix times are near noon UTC, so the day is the same in
    every time zone from UTC-11 to UTC+11.
    """
    hh, mm, ss = rng.randrange(6, 21), rng.randrange(60), rng.randrange(60)
    if form == "iso":
        return day.isoformat()
    if form == "long_us":
        return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    if form == "short_uk":
        return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"
    if form == "iso_naive":
        return f"{day.isoformat()}T{hh:02d}:{mm:02d}:{ss:02d}"
    if form == "iso_space":
        return f"{day.isoformat()} {hh:02d}:{mm:02d}:{ss:02d}"
    if form == "iso_z":
        return f"{day.isoformat()}T{hh:02d}:{mm:02d}:{ss:02d}Z"
    if form == "iso_frac_z":
        return f"{day.isoformat()}T{hh:02d}:{mm:02d}:{ss:02d}.{rng.randrange(1000):03d}Z"
    if form in ("iso_offset", "rfc2822"):
        hours = rng.choice(_OFFSETS)
        if rng.random() < 0.5:  # a time whose UTC date differs from the local one
            hh = rng.randrange(22, 24) if hours < 0 else rng.randrange(0, min(2, int(hours)))
        tz = timezone(timedelta(hours=hours))
        moment = datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=tz)
        if form == "rfc2822":
            return email.utils.format_datetime(moment)
        return moment.isoformat()
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    moment = noon + timedelta(seconds=rng.randrange(-3 * 3600, 3 * 3600))
    seconds = int(moment.timestamp())
    if form == "unix_s":
        return seconds
    return seconds * 1000 + rng.randrange(1000)


# --------------------------------------------------------------------------
# Stories
# --------------------------------------------------------------------------


@dataclass
class _Story:
    title: str
    paras: list[list[str]]
    day: date
    source: str
    domain: str
    authors: list[str]
    slug: str
    url: str
    summary: str
    topic: str
    subheads: tuple[str, ...]
    items: tuple[str, ...]

    @property
    def body(self) -> str:
        return "\n\n".join(" ".join(p) for p in self.paras)

    @property
    def author(self) -> str | None:
        return ", ".join(self.authors) if self.authors else None

    def pick_sentences(self, rng: random.Random, k: int = 3) -> tuple[str, ...]:
        """Two or three sentences from different paragraphs, one with non-ASCII if any."""
        candidates = [
            (i, s)
            for i, p in enumerate(self.paras)
            for s in p
            if len(s.split()) >= 6 and not any(c in s for c in "\u2028\x85")
        ]
        chosen: list[tuple[int, str]] = []
        accented = [c for c in candidates if _has_non_ascii(c[1])]
        if accented:
            chosen.append(rng.choice(accented))
        rng.shuffle(candidates)
        for cand in candidates:
            if len(chosen) >= k:
                break
            if all(cand[0] != c[0] for c in chosen):
                chosen.append(cand)
        chosen.sort()
        return tuple(s for _, s in chosen)


class _Writer:
    """Generates stories and collects files with their expectations."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.files: dict[str, bytes] = {}
        self.articles: list[ExpectedArticle] = []
        self.problems: list[ExpectedProblem] = []
        self._titles: set[str] = set()
        self._serial = 0

    # ---- content -------------------------------------------------------

    def _person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def _day(self) -> date:
        rng = self.rng
        if rng.random() < 0.4:  # a busy late-summer 2021 news period
            return date(2021, 8, 15) + timedelta(days=rng.randrange(45))
        return date(2019, 1, 1) + timedelta(days=rng.randrange(4 * 365))

    def story(
        self,
        encoding: str = "utf-8",
        *,
        typographic: bool | None = None,
        accents: int | None = None,
        fit: bool = True,
        min_words: int = 150,
        max_words: int = 600,
    ) -> _Story:
        """A new story with a unique title; text made encodable in ``encoding`` when ``fit``."""
        rng = self.rng
        legacy = encoding in ("cp1252", "latin-1")
        if typographic is None:
            typographic = encoding == "cp1252" or (encoding != "latin-1" and rng.random() < 0.6)
        if accents is None:
            accents = rng.randint(3, 5) if legacy else rng.randint(1, 3)
        for _attempt in range(200):
            topic = rng.choice(TOPIC_NAMES)
            bank = TOPICS[topic]
            town, town2 = rng.sample(TOWNS, 2)
            slots = {
                "town": town,
                "town2": town2,
                "p1": self._person(),
                "p2": self._person(),
                "p3": self._person(),
                "p4": self._person(),
                "r1": rng.choice(ROLES),
                "r2": rng.choice(ROLES),
                "n": rng.choice(("3", "4", "5", "6", "7", "8", "9", "12", "15")),
                "n2": rng.choice(("2", "3", "4")),
                "money": rng.choice(
                    (
                        "£1.8 million",
                        "£640,000",
                        "£3.2 million",
                        "£12 million",
                        "€2.5 million",
                        "£95,000",
                    )
                ),
                "wd": rng.choice(WEEKDAYS),
                "month": rng.choice(MONTHS),
                "company": rng.choice(COMPANIES),
                "acc": rng.choice(ACCENT_PLACES),
            }
            title_bank = ACCENT_TITLES if rng.random() < 0.08 else bank["titles"]
            title = rng.choice(title_bank).format(**slots)
            title = title[0].upper() + title[1:]
            if fit:
                title = _fit(_typeset(title, typographic), encoding)
            if title.lower() in self._titles:
                continue
            paras = self._paragraphs(bank, slots, typographic, accents, min_words, max_words)
            if fit:
                paras = [[_fit(s, encoding) for s in p] for p in paras]
            body = "\n\n".join(" ".join(p) for p in paras)
            if title in body:
                continue
            source, domain = rng.choice(SOURCES)
            n_auth = rng.choices((0, 1, 2), weights=(1, 6, 2))[0]
            authors = [self._person() for _ in range(n_auth)]
            if fit:
                source = _fit(source, encoding)
                authors = [_fit(a, encoding) for a in authors]
            day = self._day()
            self._serial += 1
            slug = _slug(title)
            url = f"https://{domain}/{topic}/{day:%Y/%m/%d}/{slug}-{self._serial}"
            summary = _fit(
                _typeset(rng.choice(bank["summary"]).format(**slots), typographic), encoding
            )
            if summary in body:
                continue
            self._titles.add(title.lower())
            return _Story(
                title=title,
                paras=paras,
                day=day,
                source=source,
                domain=domain,
                authors=authors,
                slug=slug,
                url=url,
                summary=summary,
                topic=topic,
                subheads=tuple(_fit(s, encoding) for s in bank["subheads"]),
                items=tuple(_fit(s, encoding) for s in bank["items"]),
            )
        raise RuntimeError("could not make a unique title")  # pragma: no cover

    def _paragraphs(
        self,
        bank: dict[str, tuple[str, ...]],
        slots: dict[str, str],
        typographic: bool,
        accents: int,
        min_words: int,
        max_words: int,
    ) -> list[list[str]]:
        rng = self.rng
        n_paras = rng.randint(3, 8)
        target = rng.randint(max(min_words + 20, 10 * n_paras * 3), max_words - 40)
        topical = list(bank["sentences"])
        rng.shuffle(topical)
        generic = list(GENERIC_SENTENCES)
        rng.shuffle(generic)
        accent = list(ACCENT_SENTENCES)
        rng.shuffle(accent)
        quotes = list(bank["quotes"])
        rng.shuffle(quotes)
        # Sentences to spread, quotes and accented sentences mixed into the topical ones.
        pool: list[str] = []
        for i, s in enumerate(topical):
            pool.append(s)
            if quotes and i % 3 == 1:
                q = quotes.pop()
                who = rng.choice(("{p1}, {r1}", "{p1}, {r1}", "{p2}, {r2}"))
                pool.append(f'"{q}," said {who}.' if rng.random() < 0.7 else f'"{q}," {who}, said.')
        pool.extend(generic)
        accent_sents = accent[:accents]
        paras: list[list[str]] = [[] for _ in range(n_paras)]
        # Accented sentences go into distinct paragraphs.
        for i, s in enumerate(accent_sents):
            paras[i % n_paras].append(s)
        words = sum(len(s.split()) for s in accent_sents)
        k = 0
        while pool and (words < target or any(len(p) < 2 for p in paras)):
            s = pool.pop(0)
            para = paras[k % n_paras]
            para.insert(rng.randrange(len(para) + 1), s)
            words += len(s.split())
            k += 1
            if words > max_words - 30:
                break
        paras = [p for p in paras if p]
        filled = [[_typeset(s.format(**slots), typographic) for s in p] for p in paras]
        if rng.random() < 0.3:  # an em-dash aside in one sentence
            p = rng.randrange(len(filled))
            s = filled[p][0]
            dash = f" {EMDASH} " if typographic else " - "
            filled[p][0] = s[:-1] + f"{dash}or so officials hope{dash}at least for now."
        return filled

    # ---- files ---------------------------------------------------------

    def put(self, relpath: str, data: bytes) -> None:
        if relpath in self.files:  # pragma: no cover - names are made unique by _name
            raise RuntimeError(f"duplicate file {relpath}")
        self.files[relpath] = data

    def name(self, folder: str, stem: str, suffix: str) -> str:
        base = f"{folder}/{stem}" if folder else stem
        rel = base + suffix
        k = 2
        while rel in self.files:
            rel = f"{base}-{k}{suffix}"
            k += 1
        return rel

    def article(
        self,
        relpath: str,
        record: int | None,
        story: _Story,
        *,
        title: str | None = None,
        date_: str | None,
        source: str | None,
        author: str | None,
        url: str | None,
        excludes: tuple[str, ...],
        encoding: str,
        contains: tuple[str, ...] | None = None,
    ) -> None:
        self.articles.append(
            ExpectedArticle(
                relpath=relpath,
                record=record,
                title=story.title if title is None else title,
                date=date_,
                source=source,
                author=author,
                url=url,
                body_contains=contains if contains is not None else story.pick_sentences(self.rng),
                body_excludes=excludes,
                encoding=encoding,
            )
        )

    def problem(self, relpath: str, record: int | None, kind: Literal["skipped", "error"]) -> None:
        self.problems.append(ExpectedProblem(relpath, record, kind))


def _encode(text: str, encoding: str, crlf: bool = False) -> bytes:
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return text.encode(encoding)


# --------------------------------------------------------------------------
# Plain text and Markdown
# --------------------------------------------------------------------------

TXT_FOLDERS = (
    "",
    "local",
    "local/northfield",
    "local/northfield/harbour",
    "regional/coast/archive",
    "notes",
)
MD_FOLDERS = ("", "blog", "blog/drafts", "regional/coast")
HTML_FOLDERS = ("web", "web/saved", "web/saved/pages", "regional/coast/archive")
JSON_FOLDERS = ("feeds", "feeds/json", "wire")
JSONL_FOLDERS = ("wire", "wire/agency", "feeds")

FM_DATE_FORMS: tuple[DateForm, ...] = (
    "iso",
    "iso",
    "iso",
    "iso_offset",
    "long_us",
    "short_uk",
    "rfc2822",
    "iso_z",
)


def _quote(value: str, rng: random.Random, style: str | None = None) -> str:
    style = style or rng.choice(("plain", "plain", "plain", "double", "single"))
    if style == "double" and '"' not in value:
        return f'"{value}"'
    if style == "single" and "'" not in value:
        return f"'{value}'"
    if ": " in value or value.startswith(("'", '"')) or value.endswith(":"):
        return f'"{value}"' if '"' not in value else f"'{value}'"
    return value


def _front_matter(
    fields: list[tuple[str, str]], rng: random.Random, quote: str | None = None
) -> tuple[str, tuple[str, ...]]:
    lines = ["---"]
    for key, value in fields:
        lines.append(f"{key}: {_quote(value, rng, quote)}")
    lines.append("---")
    return "\n".join(lines) + "\n", tuple(lines[1:-1])


def _fm_fields(
    w: _Writer,
    story: _Story,
    *,
    title: bool,
    form: DateForm | None,
    source: bool = True,
    author: bool = True,
    url: bool = True,
) -> tuple[list[tuple[str, str]], dict[str, str | None]]:
    """Front matter fields in a shuffled-but-usual order, and what a loader reads from them."""
    rng = w.rng
    fields: list[tuple[str, str]] = []
    got: dict[str, str | None] = {"date": None, "source": None, "author": None, "url": None}
    if title:
        fields.append(("title", story.title))
    if form is not None:
        fields.append(("date", str(_date_value(story.day, form, rng))))
        got["date"] = story.day.isoformat()
    if source:
        fields.append(("source", story.source))
        got["source"] = story.source
    if author and story.author:
        fields.append(("author", story.author))
        got["author"] = story.author
    if url:
        fields.append(("url", story.url))
        got["url"] = story.url
    if rng.random() < 0.25:
        fields.append(("tags", f"[{story.topic}, local]"))
    if rng.random() < 0.2:
        fields.append(("lang", "en"))
    return fields, got


def _fm_excludes(fm_lines: tuple[str, ...]) -> tuple[str, ...]:
    return ("---", *fm_lines)


def write_txt_front_matter(
    w: _Writer,
    encoding: str,
    *,
    suffix: str = ".txt",
    form: DateForm | None = None,
    dated: bool = True,
    name_date: Literal["none", "same", "other"] = "none",
    crlf: bool | None = None,
    quote: str | None = None,
) -> None:
    rng = w.rng
    story = w.story(encoding)
    if dated and form is None:
        form = rng.choice(FM_DATE_FORMS)
    fields, got = _fm_fields(
        w, story, title=True, form=form if dated else None,
        source=rng.random() < 0.85, author=rng.random() < 0.8, url=rng.random() < 0.7,
    )  # fmt: skip
    fm, fm_lines = _front_matter(fields, rng, quote)
    gap = "\n" if rng.random() < 0.7 else ""
    text = fm + gap + story.body + "\n"
    stem = story.slug if dated else _slug(story.title, digits=False)
    if name_date == "same":
        stem = f"{story.day:%Y-%m-%d}-{stem}"
        got["date"] = got["date"] or story.day.isoformat()
    elif name_date == "other":
        other = story.day - timedelta(days=rng.randint(3, 40))
        stem = f"{other:%Y%m%d}_{stem}"
        got["date"] = got["date"] or other.isoformat()  # the front matter's date wins
    rel = w.name(rng.choice(TXT_FOLDERS), stem, suffix)
    if crlf is None:
        crlf = encoding == "cp1252" or rng.random() < 0.1
    w.put(rel, _encode(text, encoding, crlf))
    w.article(
        rel, None, story, date_=got["date"], source=got["source"], author=got["author"],
        url=got["url"], excludes=(story.title, *_fm_excludes(fm_lines)), encoding=encoding,
    )  # fmt: skip


def write_txt_plain(
    w: _Writer,
    encoding: str,
    *,
    suffix: str = ".txt",
    name_form: Literal["dash", "compact", "trailing", "none", "spaces"] = "dash",
    crlf: bool | None = None,
) -> None:
    """No front matter: the first non-empty line is the title; the date is in the file name."""
    rng = w.rng
    story = w.story(encoding)
    lead = "\n" * rng.choice((0, 0, 0, 1, 2))
    if rng.random() < 0.2:
        lead = "   \n" + lead  # a whitespace-only line is empty too
    sep = "\n\n" if rng.random() < 0.8 else "\n"
    text = lead + story.title + sep + story.body + "\n"
    plain = _slug(story.title, digits=False)
    if name_form == "dash":
        stem, day = f"{story.day:%Y-%m-%d}-{plain}", story.day.isoformat()
    elif name_form == "compact":
        stem, day = f"{story.day:%Y%m%d}_{plain}", story.day.isoformat()
    elif name_form == "trailing":
        stem, day = f"{plain}_{story.day:%Y-%m-%d}", story.day.isoformat()
    elif name_form == "spaces":
        words = re.sub(r"[^A-Za-z ]", "", unicodedata.normalize("NFKD", story.title)).split()
        stem, day = " ".join(words[:4]) + " (draft)", None
    else:
        stem, day = plain, None
    rel = w.name(rng.choice(TXT_FOLDERS), stem, suffix)
    if crlf is None:
        crlf = encoding == "cp1252" or rng.random() < 0.1
    w.put(rel, _encode(text, encoding, crlf))
    w.article(
        rel, None, story, date_=day, source=None, author=None, url=None,
        excludes=(story.title,), encoding=encoding,
    )  # fmt: skip


def _markdown_body(w: _Writer, story: _Story) -> tuple[str, tuple[str, ...]]:
    """Story paragraphs with Markdown markup added; also the markup that must vanish."""
    rng = w.rng
    paras = [list(p) for p in story.paras]
    excludes: list[str] = ["**", "](", "## "]

    def mark(kind: str) -> None:
        p = rng.randrange(len(paras))
        s_i = rng.randrange(len(paras[p]))
        words = paras[p][s_i].split(" ")
        spots = [i for i, wd in enumerate(words) if i > 0 and re.fullmatch(r"[A-Za-z]{5,}", wd)]
        if not spots:
            return
        i = rng.choice(spots)
        word = words[i]
        if kind == "em":
            words[i] = f"*{word}*"
        elif kind == "under":
            words[i] = f"_{word}_"
        elif kind == "strong":
            words[i] = f"**{word}**"
        else:
            words[i] = f"[{word}](https://{story.domain}/{story.topic}/{word.lower()})"
        excludes.append(words[i])
        paras[p][s_i] = " ".join(words)

    for kind in ("em", "strong", "link", rng.choice(("under", "em", "link"))):
        mark(kind)
    blocks = [" ".join(p) for p in paras]
    out: list[str] = []
    head_at = rng.randrange(1, len(blocks)) if len(blocks) > 1 else -1
    list_at = rng.randrange(len(blocks))
    for i, block in enumerate(blocks):
        if i == head_at:
            out.append("## " + rng.choice(story.subheads))
        out.append(block)
        if i == list_at:
            bullet = rng.choice(("-", "*"))
            out.append("\n".join(f"{bullet} {item}" for item in story.items))
    if rng.random() < 0.3:
        out.append("---")  # a thematic break at the end is markup too
        out.append(f"*Reporting by {story.author or 'staff'}*")
    return "\n\n".join(out) + "\n", tuple(excludes)


def write_md(
    w: _Writer,
    encoding: str,
    *,
    suffix: str = ".md",
    fm_title: bool = False,
    heading: bool = True,
    front: bool = True,
    form: DateForm | None = None,
    name_form: Literal["slug", "dash", "compact", "unicode"] = "slug",
    crlf: bool = False,
) -> None:
    if not (heading or fm_title):
        raise ValueError("a Markdown article needs a heading or a front matter title")
    rng = w.rng
    story = w.story(encoding)
    body, md_excludes = _markdown_body(w, story)
    fm = ""
    fm_lines: tuple[str, ...] = ()
    got: dict[str, str | None] = {"date": None, "source": None, "author": None, "url": None}
    if front:
        fields, got = _fm_fields(
            w, story, title=fm_title, form=form or rng.choice(FM_DATE_FORMS),
            source=rng.random() < 0.9, author=rng.random() < 0.7, url=rng.random() < 0.5,
        )  # fmt: skip
        fm, fm_lines = _front_matter(fields, rng)
        fm += "\n" if rng.random() < 0.7 else ""
    head = f"# {story.title}\n\n" if heading else ""
    text = fm + head + body
    plain = _slug(story.title, digits=False)
    if name_form == "dash":
        stem = f"{story.day:%Y-%m-%d}-{plain}"
        got["date"] = got["date"] or story.day.isoformat()
    elif name_form == "compact":
        stem = f"{story.day:%Y%m%d}_{plain}"
        got["date"] = got["date"] or story.day.isoformat()
    elif name_form == "unicode":
        stem = "-".join(unicodedata.normalize("NFC", story.title).lower().split()[:5])
        stem = re.sub(r"[^\w-]", "", stem)
    else:
        stem = plain
    rel = w.name(rng.choice(MD_FOLDERS), stem, suffix)
    w.put(rel, _encode(text, encoding, crlf))
    excludes = (story.title, f"# {story.title}", *_fm_excludes(fm_lines), *md_excludes)
    if not front:
        excludes = (story.title, f"# {story.title}", *md_excludes)
    w.article(
        rel, None, story, date_=got["date"], source=got["source"], author=got["author"],
        url=got["url"], excludes=excludes, encoding=encoding,
    )  # fmt: skip


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------


def _html_text(text: str, encoding: str) -> str:
    """Escape for HTML; characters the encoding cannot hold become character references."""
    escaped = html.escape(text, quote=True)
    if encoding.startswith("utf"):
        return escaped
    out: list[str] = []
    for ch in escaped:
        try:
            ch.encode(encoding)
            out.append(ch)
        except UnicodeEncodeError:
            name = html.entities.codepoint2name.get(ord(ch))
            out.append(f"&{name};" if name else f"&#{ord(ch)};")
    return "".join(out)


HtmlTitle = Literal["og", "pipe", "dash", "plain", "h1"]
HtmlDate = Literal["published_time", "meta_date", "meta_pubdate", "time", "jsonld", "none"]
HtmlSource = Literal["og", "publisher", "none"]
HtmlLayout = Literal["article", "main", "bare"]


def write_html(
    w: _Writer,
    encoding: str,
    *,
    suffix: str = ".html",
    title_from: HtmlTitle = "og",
    date_from: HtmlDate = "published_time",
    source_from: HtmlSource = "og",
    layout: HtmlLayout = "article",
    charset_meta: bool = True,
    url_meta: bool = True,
) -> None:
    rng = w.rng
    legacy = not encoding.startswith("utf")
    # Not fitted: what the encoding cannot hold (curly quotes in Latin-1) becomes an entity.
    story = w.story(
        encoding,
        fit=False,
        typographic=True if legacy else None,
        accents=rng.randint(3, 5) if legacy else None,
    )
    esc: Callable[[str], str] = lambda s: _html_text(s, encoding)  # noqa: E731
    site = story.source if source_from != "none" else rng.choice(SOURCES)[0]
    head: list[str] = []
    if charset_meta:
        if encoding == "latin-1":
            head.append('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
        else:
            label = {
                "utf-8": "utf-8",
                "utf-8-sig": "utf-8",
                "utf-16": "utf-16",
                "cp1252": "windows-1252",
            }[encoding]
            head.append(f'<meta charset="{label}">')
    head.append('<meta name="viewport" content="width=device-width, initial-scale=1">')
    if title_from in ("og", "pipe"):
        head.append(f"<title>{esc(story.title)} | {esc(site)}</title>")
    elif title_from == "dash":
        head.append(f"<title>{esc(story.title)} - {esc(site)}</title>")
    elif title_from == "plain":
        head.append(f"<title>{esc(story.title)}</title>")
    if title_from == "og":
        head.append(f'<meta property="og:title" content="{esc(story.title)}">')
    head.append('<meta property="og:type" content="article">')
    source: str | None = None
    author: str | None = None
    if source_from == "og":
        head.append(f'<meta property="og:site_name" content="{esc(story.source)}">')
        source = story.source
    elif source_from == "publisher":
        head.append(f'<meta name="publisher" content="{esc(story.source)}">')
        source = story.source
    # An author is given only where the page names its site, so the site is never read from it.
    if source is not None and story.author:
        head.append(f'<meta name="author" content="{esc(story.author)}">')
        author = story.author
    url: str | None = None
    if url_meta and source is not None:
        url = story.url
        if rng.random() < 0.6:
            head.append(f'<meta property="og:url" content="{esc(url)}">')
        head.append(f'<link rel="canonical" href="{esc(url)}">')
    day: str | None = story.day.isoformat()
    time_el = ""
    if date_from == "published_time":
        value = _date_value(story.day, rng.choice(("iso_offset", "iso_offset", "iso_z")), rng)
        head.append(f'<meta property="article:published_time" content="{value}">')
        if rng.random() < 0.5:
            later = story.day + timedelta(days=rng.randint(1, 30))
            head.append(
                f'<meta property="article:modified_time" content="{_date_value(later, "iso_offset", rng)}">'
            )
    elif date_from == "meta_date":
        value = _date_value(story.day, rng.choice(("iso", "iso_naive")), rng)
        head.append(f'<meta name="date" content="{value}">')
    elif date_from == "meta_pubdate":
        value = _date_value(story.day, rng.choice(("rfc2822", "iso_offset", "iso")), rng)
        head.append(f'<meta name="pubdate" content="{value}">')
    elif date_from == "time":
        value = _date_value(story.day, rng.choice(("iso_offset", "iso")), rng)
        shown = f"{story.day.day} {MONTHS[story.day.month - 1]} {story.day.year}"
        time_el = f'<p class="dateline">Published <time datetime="{value}">{shown}</time></p>'
    elif date_from == "jsonld":
        value = _date_value(story.day, rng.choice(("iso_offset", "iso_z", "iso")), rng)
        ld: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title,
            "datePublished": value,
            "dateModified": _date_value(story.day + timedelta(days=2), "iso_z", rng),
        }
        if author:
            ld["author"] = {"@type": "Person", "name": author}
        if source:
            ld["publisher"] = {"@type": "Organization", "name": source}
        head.append(
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=not encoding.startswith("utf"))}</script>'
        )
    else:
        # No date in the page's markup, but its address (og:url or canonical,
        # .../2021/09/05/slug) states the day, and a date in the URL path
        # counts (issue 11); without an address the page is undated.
        day = story.day.isoformat() if url is not None else None
    head.append('<link rel="stylesheet" href="/static/css/site.css">')
    head.append(f"<style>.site-nav a {{ color: #1a3d5c; {STYLE_TEXT}: Georgia, serif; }}</style>")
    head.append(
        f"<script>window.{SCRIPT_TEXT} = window.{SCRIPT_TEXT} || []; var _section = {json.dumps(story.topic)};</script>"
    )

    paras: list[str] = []
    for i, para in enumerate(story.paras):
        sents = [esc(s) for s in para]
        if rng.random() < 0.35:  # inline markup inside a sentence
            j = rng.randrange(len(sents))
            words = sents[j].split(" ")
            spots = [k for k, wd in enumerate(words) if k > 0 and re.fullmatch(r"[A-Za-z]{5,}", wd)]
            if spots:
                k = rng.choice(spots)
                tag = rng.choice(("em", "strong", "a"))
                if tag == "a":
                    words[k] = f'<a href="/{story.topic}/{words[k].lower()}">{words[k]}</a>'
                else:
                    words[k] = f"<{tag}>{words[k]}</{tag}>"
                sents[j] = " ".join(words)
        paras.append(f"<p>{' '.join(sents)}</p>")
        if i == 1 and rng.random() < 0.5:
            paras.append(f"<!-- {COMMENT_TEXT}: inline-{i} -->")
        if i == 1 and len(story.paras) > 3 and rng.random() < 0.5:
            paras.append(f"<h2>{esc(rng.choice(story.subheads))}</h2>")
    inner_aside = (
        f'<aside class="related"><h2>{RELATED_TEXT}</h2><ul>'
        f'<li><a href="/news/more">More from {esc(site)}</a></li></ul></aside>'
    )
    if rng.random() < 0.5 and len(paras) > 2:
        paras.insert(2, inner_aside)
    byline = f'<p class="byline">By {esc(author)}</p>' if author and rng.random() < 0.5 else ""
    h1 = f"<h1>{esc(story.title)}</h1>"
    content = "\n".join(x for x in (h1, byline, time_el, *paras) if x)
    if layout == "article":
        main = (
            f"<main>\n<article>\n{content}\n</article>\n</main>"
            if rng.random() < 0.6
            else f"<article>\n{content}\n</article>"
        )
    elif layout == "main":
        main = f'<main id="content">\n{content}\n</main>'
    else:
        main = f'<div class="container">\n<div class="story-body">\n{content}\n</div>\n</div>'
    nav = (
        '<nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>'
        f'<li><a href="/sport">Sport</a></li><li><a href="/login">{NAV_TEXT}</a></li></ul></nav>'
    )
    header = f'<header class="masthead"><a class="logo" href="/">{esc(site)}</a><p class="tagline">{HEADER_TEXT}</p></header>'
    sidebar = (
        f'<aside class="sidebar"><h2>{ASIDE_TEXT}</h2><ol><li><a href="/a">Ferry timetable changes</a></li>'
        '<li><a href="/b">School roof repairs delayed</a></li></ol></aside>'
    )
    footer = (
        f"<footer><p>&copy; {story.day.year} {esc(site)}. {FOOTER_TEXT}.</p>"
        '<p><a href="/privacy">Privacy policy</a> &middot; <a href="/contact">Contact us</a></p>'
        f'<div class="cookie-banner">{COOKIE_TEXT}.</div></footer>'
    )
    tail_script = (
        "<script>document.querySelectorAll('.ad').forEach(function (el) { el.remove(); });</script>"
    )
    doc = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        + "\n".join(head)
        + "\n</head>\n<body>\n"
        + "\n".join((header, nav, main, sidebar, footer, tail_script))
        + "\n</body>\n</html>\n"
    )
    stem = story.slug
    rel = w.name(rng.choice(HTML_FOLDERS), stem, suffix)
    w.put(rel, _encode(doc, encoding, crlf=rng.random() < 0.15))
    excludes = (
        story.title, NAV_TEXT, HEADER_TEXT, FOOTER_TEXT, ASIDE_TEXT, RELATED_TEXT,
        SCRIPT_TEXT, STYLE_TEXT, COMMENT_TEXT, COOKIE_TEXT, '"@context"', *HTML_EXCLUDES,
    )  # fmt: skip
    w.article(
        rel,
        None,
        story,
        date_=day,
        source=source,
        author=author,
        url=url,
        excludes=excludes,
        encoding=encoding,
    )


# --------------------------------------------------------------------------
# JSON records
# --------------------------------------------------------------------------

JsonStyle = Literal[
    "newsapi", "newsplease", "agency", "cased", "rss", "unix", "unixms", "scraped",
    "naive", "minimal", "nested", "ts_string", "pubdate_uk", "dupes",
]  # fmt: skip
JSON_STYLES: tuple[JsonStyle, ...] = (
    "newsapi", "newsplease", "agency", "cased", "rss", "unix", "unixms", "scraped",
    "naive", "minimal", "nested", "ts_string", "pubdate_uk", "dupes",
)  # fmt: skip


@dataclass
class _Record:
    obj: dict[str, Any]
    title: str
    date: str | None
    source: str | None
    author: str | None
    url: str | None
    excludes: tuple[str, ...]


def _json_record(w: _Writer, story: _Story, style: JsonStyle) -> _Record:
    """One news-API-like object in ``style``, and what the contract's aliases read from it."""
    rng = w.rng
    day = story.day.isoformat()
    s, a, u, body = story.source, story.author, story.url, story.body
    excl: tuple[str, ...] = (story.title,)
    o: dict[str, Any]
    if style == "newsapi":
        o = {
            "source": {"id": story.domain.split(".")[0] if rng.random() < 0.5 else None, "name": s},
            "author": a,
            "title": story.title,
            "description": story.summary,
            "url": u,
            "urlToImage": f"https://{story.domain}/img/{story.slug}.jpg",
            "publishedAt": _date_value(story.day, rng.choice(("iso_z", "iso_frac_z")), rng),
            "content": body,
        }
        return _Record(o, story.title, day, s, a, u, (*excl, story.summary))
    if style == "newsplease":
        o = {
            "authors": list(story.authors),
            "date_download": _date_value(
                story.day + timedelta(days=rng.randint(1, 9)), "iso_space", rng
            ),
            "date_modify": None,
            "date_publish": _date_value(story.day, "iso_space", rng),
            "description": story.summary,
            "domain": story.domain,
            "language": "en",
            "maintext": body,
            "title": story.title,
            "url": u,
        }
        return _Record(o, story.title, day, story.domain, a, u, (*excl, story.summary))
    if style == "agency":
        o = {
            "headline": story.title,
            "text": body,
            "published": _date_value(story.day, "rfc2822", rng),
            "publisher": s,
        }
        if a:
            o["byline"] = a
        o["link"] = u
        return _Record(o, story.title, day, s, a, u, excl)
    if style == "cased":
        o = {
            "Headline": story.title,
            "Body": body,
            "Date": _date_value(story.day, "long_us", rng),
            "Source": s,
        }
        if a:
            o["Author"] = a
        o["URL"] = u
        return _Record(o, story.title, day, s, a, u, excl)
    if style == "rss":
        o = {
            "title": story.title,
            "description": body,
            "pubDate": _date_value(story.day, rng.choice(("rfc2822", "short_uk")), rng),
            "site": s,
            "link": u,
            "guid": f"{story.domain}-{story.slug}",
        }
        if a:
            o["creator"] = a
        return _Record(o, story.title, day, s, a, u, excl)
    if style == "unix":
        o = {"id": len(w.articles) + 1, "name": story.title, "article": body}
        o["timestamp"] = _date_value(story.day, "unix_s", rng)
        o["site_name"] = s
        if story.authors:
            o["authors"] = list(story.authors)
        o["href"] = u
        return _Record(o, story.title, day, s, a, u, excl)
    if style == "unixms":
        o = {
            "title": story.title,
            "text": body,
            "published_at": _date_value(story.day, "unix_ms", rng),
            "source": s,
            "author": a,
            "url": u,
        }
        return _Record(o, story.title, day, s, a, u, excl)
    if style == "scraped":
        o = {
            "title": story.title,
            "body": body,
            "datePublished": _date_value(story.day, "iso_offset", rng),
            "publisher": s,
            "url": u,
            "tags": [story.topic, "local"],
            "image": {
                "url": f"https://{story.domain}/img/{story.slug}.jpg",
                "caption": "A file photograph.",
            },
        }
        if story.authors:
            o["authors"] = list(story.authors)
        return _Record(o, story.title, day, s, a, u, excl)
    if style == "naive":
        o = {
            "Title": story.title,
            "Content": body,
            "date": _date_value(story.day, "iso_naive", rng),
            "Site": s,
        }
        if a:
            o["Creator"] = a
        return _Record(o, story.title, day, s, a, None, excl)
    if style == "minimal":
        o = {"title": story.title, "text": body}
        if rng.random() < 0.75:
            o["date"] = day
            return _Record(o, story.title, day, None, None, None, excl)
        return _Record(o, story.title, None, None, None, None, excl)
    if style == "nested":
        o = {
            "headline": story.title,
            "description": story.summary,
            "body": body,
            "publishedAt": _date_value(story.day, "iso_offset", rng),
            "source": {"name": s, "url": f"https://{story.domain}/"},
            "url": u,
        }
        if story.authors:
            o["authors"] = list(story.authors)
        return _Record(o, story.title, day, s, a, u, (*excl, story.summary))
    if style == "ts_string":
        o = {
            "title": story.title,
            "maintext": body,
            "timestamp": _date_value(story.day, rng.choice(("long_us", "short_uk")), rng),
            "site": s,
        }
        if a:
            o["byline"] = a
        o["href"] = u
        return _Record(o, story.title, day, s, a, u, excl)
    if style == "pubdate_uk":
        o = {
            "title": story.title,
            "content": body,
            "pubDate": _date_value(story.day, "short_uk", rng),
            "source": {"name": s},
        }
        if a:
            o["author"] = a
        return _Record(o, story.title, day, s, a, None, excl)
    # "dupes": several aliases present; the first one in the contract's order wins.
    other_day = story.day + timedelta(days=rng.randint(2, 20))
    o = {
        "headline": f"UPDATED: {story.title}",
        "title": story.title,
        "description": story.summary,
        "text": body,
        "published": _date_value(other_day, "rfc2822", rng),
        "date": day,
        "publisher": "Coastal Wire Syndication Desk",
        "source": s,
        "byline": "Staff and agencies",
        "author": a or "Newsdesk",
        "link": f"https://syndication.example/{story.slug}",
        "url": u,
    }
    return _Record(o, story.title, day, s, a or "Newsdesk", u, (*excl, story.summary, "UPDATED:"))


def _record_article(w: _Writer, rel: str, record: int | None, story: _Story, rec: _Record) -> None:
    w.article(
        rel, record, story, title=rec.title, date_=rec.date, source=rec.source, author=rec.author,
        url=rec.url, excludes=rec.excludes, encoding="utf-8-sig" if w.files.get(rel, b"").startswith(b"\xef\xbb\xbf") else "utf-8",
    )  # fmt: skip


def write_json_single(
    w: _Writer,
    style: JsonStyle,
    *,
    suffix: str = ".json",
    bom: bool = False,
    ascii_only: bool = False,
) -> None:
    rng = w.rng
    story = w.story("utf-8")
    rec = _json_record(w, story, style)
    text = json.dumps(rec.obj, ensure_ascii=ascii_only, indent=rng.choice((None, 2, 4)))
    rel = w.name(rng.choice(JSON_FOLDERS), story.slug, suffix)
    w.put(rel, (text + "\n").encode("utf-8-sig" if bom else "utf-8"))
    _record_article(w, rel, None, story, rec)


def write_json_array(w: _Writer, styles: list[JsonStyle], *, suffix: str = ".json") -> None:
    rng = w.rng
    pairs = [(w.story("utf-8"), style) for style in styles]
    recs = [_json_record(w, story, style) for story, style in pairs]
    text = json.dumps(
        [r.obj for r in recs], ensure_ascii=rng.random() < 0.2, indent=rng.choice((None, 2))
    )
    rel = w.name(rng.choice(JSON_FOLDERS), f"{pairs[0][0].topic}-export", suffix)
    w.put(rel, (text + "\n").encode("utf-8"))
    for i, ((story, _), rec) in enumerate(zip(pairs, recs, strict=True)):
        _record_article(w, rel, i, story, rec)


def write_jsonl(
    w: _Writer,
    styles: list[JsonStyle],
    *,
    suffix: str = ".jsonl",
    blanks: int = 0,
    crlf: bool = False,
    final_newline: bool = True,
    line_separator: bool = False,
) -> None:
    """One object a line; ``blanks`` blank lines are put between records (they count as lines)."""
    rng = w.rng
    pairs = [(w.story("utf-8"), style) for style in styles]
    if line_separator:
        # U+2028 and U+0085 are line breaks to str.splitlines() but not to JSON Lines.
        story = pairs[0][0]
        story.paras[-1].append("The notice read: Harbour Office\u2028Quay Street\u0085Open daily.")
    recs = [_json_record(w, story, style) for story, style in pairs]
    lines: list[str | None] = [None] * len(recs)  # None marks a record's line
    for _ in range(blanks):
        lines.insert(rng.randrange(1, len(lines) + 1), rng.choice(("", "   ")))
    out: list[str] = []
    k = 0
    numbers: list[int] = []
    for i, line in enumerate(lines):
        if line is None:
            out.append(json.dumps(recs[k].obj, ensure_ascii=rng.random() < 0.15))
            numbers.append(i)
            k += 1
        else:
            out.append(line)
    nl = "\r\n" if crlf else "\n"
    text = nl.join(out) + (nl if final_newline else "")
    data = text.encode("utf-8")
    folder = rng.choice(JSONL_FOLDERS)
    rel = w.name(
        folder,
        f"{rng.choice(('feed', 'items', 'wire', 'export'))}-{pairs[0][0].slug.split('-')[0]}",
        suffix,
    )
    if suffix.lower().endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    w.put(rel, data)
    for (story, _), rec, line_no in zip(pairs, recs, numbers, strict=True):
        _record_article(w, rel, line_no, story, rec)


# --------------------------------------------------------------------------
# Bad input, and files to pass over
# --------------------------------------------------------------------------


def _styles(*names: JsonStyle) -> tuple[JsonStyle, ...]:
    return names


def write_problems(w: _Writer) -> None:
    rng = w.rng
    w.put("junk/empty.txt", b"")
    w.problem("junk/empty.txt", None, "skipped")
    w.put("blog/drafts/untitled.md", b"  \n\n\t \n")
    w.problem("blog/drafts/untitled.md", None, "skipped")
    noise = bytes(rng.randrange(256) if rng.random() < 0.7 else 0 for _ in range(3000))
    w.put("local/attachment.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00" + noise)
    w.problem("local/attachment.txt", None, "skipped")
    w.put(
        "notes/placeholder.txt",
        b"---\ntitle: Placeholder for the council story\ndate: 2021-09-07\nsource: Northfield Gazette\n---\n\n",
    )
    w.problem("notes/placeholder.txt", None, "skipped")
    w.put("notes/headline-only.txt", b"Council meeting postponed until further notice\n\n")
    w.problem("notes/headline-only.txt", None, "skipped")
    w.put("blog/drafts/coming-soon.md", b"---\ndate: 2021-09-01\n---\n\n# Coming soon\n")
    w.problem("blog/drafts/coming-soon.md", None, "skipped")
    w.put(
        "feeds/broken.json",
        b'{"title": "Truncated export", "body": "The file ends in the middle of',
    )
    w.problem("feeds/broken.json", None, "error")
    meta = {
        "title": "Photo gallery: harbour at dawn",
        "date": "2021-09-03",
        "url": "https://coastalwire.example/gallery/7",
        "images": 24,
    }
    w.put("feeds/json/metadata-only.json", json.dumps(meta, indent=2).encode())
    w.problem("feeds/json/metadata-only.json", None, "skipped")
    w.put("feeds/empty.json", b"")
    w.problem("feeds/empty.json", None, "skipped")
    w.put("feeds/nothing.ndjson", b"")
    w.problem("feeds/nothing.ndjson", None, "skipped")

    # JSONL: 0 good, 1 good, 2 broken (error), 3 blank (ignored), 4 no body (skipped).
    rel = "wire/agency/mixed-lines.jsonl"
    goods = [(w.story("utf-8"), style) for style in _styles("agency", "unixms")]
    recs = [_json_record(w, s, st) for s, st in goods]
    lines = [
        json.dumps(recs[0].obj, ensure_ascii=False),
        json.dumps(recs[1].obj, ensure_ascii=False),
        '{"title": "Ferry timetable", "text": "Sailings resume on',
        "",
        json.dumps(
            {
                "title": "Picture desk note",
                "date": "2021-09-06",
                "link": "https://brightline.example/p/3",
            }
        ),
    ]
    w.put(rel, ("\n".join(lines) + "\n").encode("utf-8"))
    for i, ((story, _), rec) in enumerate(zip(goods, recs, strict=True)):
        _record_article(w, rel, i, story, rec)
    w.problem(rel, 2, "error")
    w.problem(rel, 4, "skipped")

    # A JSON array with a number (error) and an object without a body (skipped) among good records.
    rel = "feeds/json/array-with-number.json"
    goods2 = [(w.story("utf-8"), style) for style in _styles("newsapi", "minimal")]
    recs2 = [_json_record(w, s, st) for s, st in goods2]
    arr: list[Any] = [
        recs2[0].obj,
        42,
        recs2[1].obj,
        {"headline": "Weather map", "publishedAt": "2021-09-04T06:00:00Z"},
    ]
    w.put(rel, json.dumps(arr, ensure_ascii=False, indent=2).encode("utf-8"))
    _record_article(w, rel, 0, goods2[0][0], recs2[0])
    _record_article(w, rel, 2, goods2[1][0], recs2[1])
    w.problem(rel, 1, "error")
    w.problem(rel, 3, "skipped")

    # NDJSON: good, an array instead of an object (error), a blank body (skipped), good.
    rel = "wire/odd-lines.ndjson"
    goods3 = [(w.story("utf-8"), style) for style in _styles("rss", "scraped")]
    recs3 = [_json_record(w, s, st) for s, st in goods3]
    lines = [
        json.dumps(recs3[0].obj, ensure_ascii=False),
        json.dumps(["not", "an", "object"]),
        json.dumps({"title": "Empty wire slot", "text": "   \n  ", "date": "2021-09-09"}),
        json.dumps(recs3[1].obj, ensure_ascii=False),
    ]
    w.put(rel, ("\n".join(lines) + "\n").encode("utf-8"))
    _record_article(w, rel, 0, goods3[0][0], recs3[0])
    _record_article(w, rel, 3, goods3[1][0], recs3[1])
    w.problem(rel, 1, "error")
    w.problem(rel, 2, "skipped")

    # Not gzip at all behind a gzip magic number.
    w.put(
        "wire/corrupt.jsonl.gz", b"\x1f\x8b\x08\x00" + bytes(rng.randrange(256) for _ in range(200))
    )
    w.problem("wire/corrupt.jsonl.gz", None, "error")

    # A page with navigation and a footer but no article.
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Local news | Northfield Gazette</title>\n'
        '<meta property="og:site_name" content="Northfield Gazette"></head>\n<body>\n'
        f'<header><a href="/">Northfield Gazette</a></header>\n<nav><ul><li><a href="/news">News</a></li>'
        f'<li><a href="/sport">Sport</a></li><li><a href="/login">{NAV_TEXT}</a></li></ul></nav>\n'
        f"<footer><p>&copy; 2021 Northfield Gazette. {FOOTER_TEXT}.</p></footer>\n"
        "<script>window.dataLayer = [];</script>\n</body></html>\n"
    )
    w.put("web/saved/pages/section-front.html", page.encode("utf-8"))
    w.problem("web/saved/pages/section-front.html", None, "skipped")


def write_pass_over(w: _Writer) -> None:
    """Files whose suffixes are not read: counted as passed over, never problems."""
    rng = w.rng
    w.put(
        "data/summary.csv",
        "title,date,source\nHarbour wall repairs,2021-09-06,Northfield Gazette\nCafé festival,2021-09-12,Coastal Wire\n".encode(),
    )
    w.put(
        "web/saved/pages/logo.png",
        b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(400)),
    )
    w.put("web/saved/pages/site.css", b"body { font-family: Georgia, serif; }\n")
    w.put("README", b"Sample corpus for tests: fictional articles in many formats.\n")
    w.put(
        "feeds/rss.xml",
        b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Coastal Wire</title></channel></rss>\n',
    )
    w.put(
        "local/old-story.txt.bak", b"Backup of a story\n\nThis file ends in .bak and is not read.\n"
    )
    w.put("notes/.DS_Store", b"\x00\x00\x00\x01Bud1" + bytes(64))


# --------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------

#: How often each encoding is drawn for .txt/.md/.html files in the random part.
_ENC_WEIGHTS: tuple[int, ...] = (72, 7, 7, 7, 7)


def _fixed_cases(w: _Writer) -> list[Callable[[], None]]:
    """Every variant at least once, whatever ``n`` is."""
    r = w.rng
    return [
        # .txt / .text with front matter, every front-matter date form and every encoding
        lambda: write_txt_front_matter(w, "utf-8", form="iso"),
        lambda: write_txt_front_matter(w, "utf-8", form="iso", quote="double"),
        lambda: write_txt_front_matter(w, "utf-8-sig", form="iso_offset"),
        lambda: write_txt_front_matter(w, "cp1252", form="long_us", crlf=True),
        lambda: write_txt_front_matter(w, "latin-1", form="short_uk"),
        lambda: write_txt_front_matter(w, "utf-16", form="rfc2822"),
        lambda: write_txt_front_matter(
            w, "utf-8", form="iso", name_date="other"
        ),  # front matter wins
        lambda: write_txt_front_matter(w, "utf-8", form="iso", name_date="same"),
        lambda: write_txt_front_matter(w, "utf-8", dated=False),
        lambda: write_txt_front_matter(w, "utf-8", suffix=".text", form="iso_z", quote="single"),
        lambda: write_txt_front_matter(w, "utf-8", suffix=".TXT", form="iso"),
        # .txt / .text without front matter: title is the first line, date from the name
        lambda: write_txt_plain(w, "utf-8", name_form="dash"),
        lambda: write_txt_plain(w, "cp1252", name_form="compact"),
        lambda: write_txt_plain(w, "latin-1", name_form="dash"),
        lambda: write_txt_plain(w, "utf-16", name_form="compact"),
        lambda: write_txt_plain(w, "utf-8-sig", name_form="trailing"),
        lambda: write_txt_plain(w, "utf-8", name_form="none"),
        lambda: write_txt_plain(w, "utf-8", name_form="spaces"),
        lambda: write_txt_plain(w, "utf-8", suffix=".text", name_form="compact"),
        # Markdown
        lambda: write_md(w, "utf-8"),
        lambda: write_md(w, "latin-1"),
        lambda: write_md(w, "cp1252", fm_title=True, heading=True, crlf=True),
        lambda: write_md(w, "utf-8-sig", fm_title=True, heading=False),
        lambda: write_md(w, "utf-16", suffix=".markdown", front=False, name_form="dash"),
        lambda: write_md(w, "utf-8", suffix=".markdown", front=False, name_form="compact"),
        lambda: write_md(w, "utf-8", front=False),
        lambda: write_md(w, "utf-8", name_form="unicode"),
        # HTML
        lambda: write_html(
            w, "utf-8", title_from="og", date_from="published_time", source_from="og"
        ),
        lambda: write_html(w, "cp1252", title_from="og", date_from="published_time"),
        lambda: write_html(w, "latin-1", title_from="pipe", date_from="meta_date"),
        lambda: write_html(
            w, "utf-16", title_from="dash", date_from="meta_pubdate", source_from="publisher"
        ),
        lambda: write_html(
            w, "utf-8-sig", title_from="h1", date_from="time", source_from="none", layout="main"
        ),
        lambda: write_html(w, "utf-8", suffix=".htm", title_from="plain", date_from="jsonld"),
        lambda: write_html(w, "cp1252", title_from="pipe", date_from="time", charset_meta=False),
        lambda: write_html(
            w,
            "latin-1",
            title_from="dash",
            date_from="jsonld",
            source_from="publisher",
            charset_meta=False,
        ),
        lambda: write_html(
            w, "utf-8", title_from="h1", date_from="none", source_from="none", layout="bare"
        ),
        lambda: write_html(
            w, "utf-8", suffix=".HTM", title_from="pipe", date_from="meta_pubdate", layout="main"
        ),
        # JSON: one of each style as a single object, some oddities
        *[(lambda st=st: write_json_single(w, st)) for st in JSON_STYLES],
        lambda: write_json_single(w, "newsapi", bom=True),
        lambda: write_json_single(w, "cased", suffix=".JSON", ascii_only=True),
        lambda: write_json_array(w, ["newsapi", "unix", "cased", "dupes"]),
        lambda: write_json_array(w, ["newsplease"]),
        lambda: write_jsonl(
            w,
            ["agency", "unixms", "ts_string", "rss", "naive", "minimal"],
            blanks=2,
            final_newline=False,
        ),
        lambda: write_jsonl(
            w, ["scraped", "nested", "pubdate_uk", "unix"], suffix=".ndjson", crlf=True, blanks=1
        ),
        lambda: write_jsonl(
            w, ["newsapi", "newsplease", "agency", "unixms", "cased"], suffix=".jsonl.gz", blanks=1
        ),
        lambda: write_jsonl(w, [r.choice(JSON_STYLES), "minimal", "agency"], line_separator=True),
    ]


def _random_case(w: _Writer, remaining: int) -> None:
    rng = w.rng
    enc = rng.choices(ENCODINGS, weights=_ENC_WEIGHTS)[0]
    kind = rng.choices(
        ("txt_fm", "txt_plain", "md", "html", "json", "json_array", "jsonl", "ndjson", "jsonl_gz"),
        weights=(20, 10, 14, 18, 8, 2, 2, 1, 1),
    )[0]
    if kind == "txt_fm":
        write_txt_front_matter(
            w, enc, suffix=".text" if rng.random() < 0.15 else ".txt", dated=rng.random() < 0.93,
            name_date=rng.choice(("none", "none", "same")),
        )  # fmt: skip
    elif kind == "txt_plain":
        write_txt_plain(
            w, enc, suffix=".text" if rng.random() < 0.15 else ".txt",
            name_form=rng.choice(("dash", "dash", "compact", "compact", "trailing", "none")),
        )  # fmt: skip
    elif kind == "md":
        front = rng.random() < 0.8
        fm_title = front and rng.random() < 0.3
        write_md(
            w, enc, suffix=".markdown" if rng.random() < 0.25 else ".md", front=front,
            fm_title=fm_title, heading=not fm_title or rng.random() < 0.6,
            name_form=rng.choice(("slug", "slug", "dash", "compact")) if not front else "slug",
        )  # fmt: skip
    elif kind == "html":
        title_from: HtmlTitle = rng.choice(("og", "og", "og", "pipe", "dash", "plain", "h1"))
        date_from: HtmlDate = rng.choice(
            (
                "published_time",
                "published_time",
                "meta_date",
                "meta_pubdate",
                "time",
                "jsonld",
                "jsonld",
                "none",
            )
        )
        source_from: HtmlSource = rng.choice(("og", "og", "og", "publisher", "none"))
        layout: HtmlLayout = rng.choice(
            ("article", "article", "article", "article", "main", "bare")
        )
        write_html(
            w, enc, suffix=".htm" if rng.random() < 0.2 else ".html", title_from=title_from,
            date_from=date_from, source_from=source_from, layout=layout, charset_meta=rng.random() < 0.85,
        )  # fmt: skip
    elif kind == "json":
        write_json_single(w, rng.choice(JSON_STYLES), ascii_only=rng.random() < 0.1)
    else:
        size = min(remaining, rng.randint(2, 6))
        styles = [rng.choice(JSON_STYLES) for _ in range(size)]
        if kind == "json_array":
            write_json_array(w, styles)
        else:
            suffix = {"jsonl": ".jsonl", "ndjson": ".ndjson", "jsonl_gz": ".jsonl.gz"}[kind]
            write_jsonl(
                w,
                styles,
                suffix=suffix,
                blanks=rng.choice((0, 0, 1, 2)),
                final_newline=rng.random() < 0.9,
            )


def build_mixed_corpus(
    root: Path, n: int = 300, seed: int = 0
) -> tuple[list[ExpectedArticle], list[ExpectedProblem]]:
    """Write the corpus under ``root`` and return what a correct loader must find.

    The corpus holds ``max(n, F)`` articles, where F (82) is the number of
    fixed edge cases that are always written; bad inputs and files with other
    suffixes come on top.  The same ``(n, seed)`` always gives the same bytes
    and the same expectations.
    """
    w = _Writer(random.Random(seed))
    for case in _fixed_cases(w):
        case()
    write_problems(w)
    write_pass_over(w)
    while len(w.articles) < n:
        _random_case(w, n - len(w.articles))
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in w.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return w.articles, w.problems
