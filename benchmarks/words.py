"""Real English words, names and places mixed into the generated vocabulary.

Function words lead the frequency ranking, as in real English; the content
words come in families (``attack``, ``attacks``, ``attacked``, ``attacking``)
so that stemming changes what matches.  Everything else in the corpora is
pseudo-English generated from syllables (see :mod:`benchmarks.generate`).
"""

from __future__ import annotations


def words_of(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of ``text``."""
    return tuple(text.split())


#: The most frequent English words, most frequent first.
FUNCTION_WORDS: tuple[str, ...] = words_of(
    """
    the of and to a in that is for on was with said he it as at by from his
    be have has are an but not this had they were been who which will would
    their its or after more than about also one up when there we all out new
    she two her year into over last other first people some could can what if
    no only time years so him our them most three before while just because
    then where under against between during since made many such through both
    any these those being because very even may should still while around
    back down well much now here how off own same each few another again
    until without within among across toward whether though although however
    """
)

#: Common news vocabulary, in families so that stemming matters.
CONTENT_WORDS: tuple[str, ...] = words_of(
    """
    government governments governor minister ministers ministry president presidential
    police officer officers official officials attack attacks attacked attacking
    election elections elected vote votes voted voting voter voters talks talk talked
    peace war wars force forces military troops city cities country countries state
    states market markets bank banks banking price prices rate rates interest economy
    economic economist economists growth inflation company companies share shares
    report reports reported reporting reporter reporters court courts judge judges
    law laws health hospital hospitals patient patients vaccine vaccines climate
    change changes changed energy oil gas power water school schools student students
    child children women men worker workers strike strikes striking union unions
    budget tax taxes spending party parties leader leaders campaign campaigns
    campaigning border borders refugee refugees security crisis fire fires flood
    floods flooding storm storms rain weather season seasons team teams match
    matches game games player players coach win wins won winning film films music
    festival festivals museum harbour harbours port ports ship ships fishing
    fisherman fishermen farmer farmers crop crops housing home homes rent rents
    transport rail train trains airport airports flight flights protest protests
    protested protesting protester protesters investigation investigations
    investigate investigated investigator investigators invest invested investing
    investor investors investment investments trade trades traded trading export
    exports import imports deal deals agreement agreements negotiate negotiated
    negotiating negotiation negotiations negotiator negotiators resistance commander
    commanders fighter fighters ceasefire ceasefires minister council councils
    mayor mayors village villages province provinces region regions district
    districts capital coast coastal river rivers bridge bridges road roads highway
    construction build building buildings built plan plans planned planning
    project projects fund funds funding funded money million billion percent
    increase increased increasing decrease decline declined fall fell rise rose
    rising record records week weeks month months day days morning evening night
    announce announced announcement statement statements spokesman spokeswoman
    spokesperson interview interviews say says saying told tell telling ask asked
    asking question questions answer answered public private national international
    local regional federal foreign domestic global world europe european africa
    african asia asian america american community communities family families
    resident residents citizen citizens victim victims survivor survivors death
    deaths died dead kill killed killing injure injured injuries arrest arrests
    arrested charge charges charged trial trials sentence sentenced prison
    prisoners release released releasing accident accidents crash crashes crashed
    emergency emergencies rescue rescued rescuers hospitalised evacuate evacuated
    evacuation shortage shortages supply supplies supplier suppliers food fuel
    electricity network networks internet technology technologies digital data
    software computer computers phone phones science scientist scientists study
    studies research researcher researchers university universities education
    teacher teachers parent parents doctor doctors nurse nurses drug drugs
    medicine treatment treatments disease diseases virus outbreak outbreaks
    pandemic infection infections lockdown restriction restrictions travel
    tourism tourist tourists hotel hotels restaurant restaurants business
    businesses industry industries factory factories job jobs employment
    unemployment wage wages salary pension pensions retire retired retirement
    insurance profit profits loss losses revenue revenues sale sales customer
    customers consumer consumers product products service services contract
    contracts lawsuit lawsuits regulator regulators regulation regulations rule
    rules ruling policy policies reform reforms parliament parliamentary senate
    senator senators congress lawmaker lawmakers opposition coalition referendum
    don't it's won't can't
    """
)

#: Two- and three-word expressions that news text repeats (phrase queries).
COLLOCATIONS: tuple[str, ...] = (
    "peace talks",
    "prime minister",
    "central bank",
    "interest rates",
    "climate change",
    "human rights",
    "supreme court",
    "front line",
    "police said",
    "city council",
    "health ministry",
    "stock market",
    "oil prices",
    "trade deal",
    "border crossing",
    "election results",
    "press conference",
    "armed forces",
    "foreign minister",
    "public health",
    "energy prices",
    "housing market",
    "school board",
    "fishing fleet",
    "labour union",
    "state media",
    "security forces",
    "heavy rain",
    "power plant",
    "local elections",
    "united nations",
    "world health organization",
    "chief executive",
    "finance minister",
    "court of appeal",
    "state of emergency",
    "rescue workers",
    "opposition leader",
    "coastal towns",
    "harbour master",
)

FIRST_NAMES: tuple[str, ...] = words_of(
    """
    Ahmad Maria James Fatima Wei Olga Carlos Aisha John Priya Mohammed Anna
    David Sofia Kenji Amara Pierre Ingrid Rahul Leila Tomasz Grace Diego Hana
    Samuel Elena Yusuf Chloe Ivan Nadia Oliver Zainab Lucas Mei Daniel Amina
    Peter Ruth Hassan Clara Michael Rosa Arjun Sarah Omar Julia Viktor Noor
    Thomas Laura Kwame Emma Hiroshi Lina Mateo Helen Ali Irene Paul Yara
    José Zoë Søren Björn Chloé Agnès Łukasz
    """
)

#: Real place names (a few with accents, which searchengine folds).
PLACES: tuple[str, ...] = words_of(
    """
    London Paris Berlin Madrid Lisbon Rome Vienna Prague Warsaw Kyiv Istanbul
    Cairo Lagos Nairobi Accra Dakar Johannesburg Mumbai Delhi Dhaka Karachi
    Kabul Tehran Baghdad Riyadh Dubai Doha Beijing Shanghai Tokyo Seoul Manila
    Jakarta Sydney Auckland Toronto Chicago Boston Denver Houston Mexico Bogotá
    Lima Santiago Quito Montréal Zürich Malmö Kraków Reykjavík Tromsø Córdoba
    """
)

SOURCE_ADJECTIVES: tuple[str, ...] = (
    "Coastal",
    "Northern",
    "Daily",
    "Harbour",
    "Valley",
    "Evening",
    "Metro",
    "Southern",
    "Western",
    "Eastern",
    "Morning",
    "Weekly",
    "Capital",
    "Island",
    "River",
    "Highland",
    "Union",
    "Civic",
    "Global",
    "Frontier",
)
SOURCE_NOUNS: tuple[str, ...] = (
    "Wire",
    "Ledger",
    "Courier",
    "Post",
    "Herald",
    "Star",
    "Bulletin",
    "Times",
    "Gazette",
    "Observer",
    "Tribune",
    "Chronicle",
    "Record",
    "Dispatch",
    "Review",
    "Sentinel",
)
