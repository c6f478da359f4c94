// The demo tables. Names are among the most common in each country; postal codes, time zones
// and area codes belong to the city they sit beside. Mobile patterns: FR 06 39 98 and GB
// 07700 900 are the ranges ARCEP and Ofcom reserve for fiction, and NANP 555-01xx is reserved
// for fictitious use; the other patterns are plain mobile ranges of the right length.
#include "app/demo_countries.hpp"

#include <array>

namespace overture::app::demo {

namespace {

using S = std::string_view;

// ---- France
constexpr std::array kFrMobile{S("+3363998XXXX")};
constexpr std::array kFrFemale{S("Camille"), S("Léa"),    S("Manon"),  S("Chloé"),    S("Emma"),
                               S("Inès"),    S("Sarah"),  S("Julie"),  S("Marie"),    S("Laura"),
                               S("Pauline"), S("Élodie"), S("Céline"), S("Nathalie"), S("Isabelle"),
                               S("Sophie"),  S("Claire"), S("Anaïs"),  S("Juliette"), S("Margaux"),
                               S("Louise"),  S("Alice"),  S("Zoé"),    S("Lucie")};
constexpr std::array kFrMale{
    S("Lucas"),  S("Hugo"),     S("Louis"),   S("Gabriel"),   S("Arthur"),    S("Jules"),
    S("Thomas"), S("Nicolas"),  S("Julien"),  S("Antoine"),   S("Maxime"),    S("Alexandre"),
    S("Pierre"), S("Mathieu"),  S("Romain"),  S("Guillaume"), S("Olivier"),   S("François"),
    S("Théo"),   S("Baptiste"), S("Clément"), S("Kévin"),     S("Sébastien"), S("Laurent")};
constexpr std::array kFrLast{
    S("Martin"),  S("Bernard"),  S("Dubois"), S("Thomas"),   S("Robert"),   S("Richard"),
    S("Petit"),   S("Durand"),   S("Leroy"),  S("Moreau"),   S("Simon"),    S("Laurent"),
    S("Lefèvre"), S("Michel"),   S("Garcia"), S("David"),    S("Bertrand"), S("Roux"),
    S("Vincent"), S("Fournier"), S("Morel"),  S("Girard"),   S("André"),    S("Mercier"),
    S("Dupont"),  S("Lambert"),  S("Bonnet"), S("François"), S("Legrand"),  S("Garnier"),
    S("Faure"),   S("Rousseau"), S("Blanc"),  S("Guérin")};
constexpr std::array kFrStreets{
    S("rue de la République"), S("avenue Jean Jaurès"), S("rue Victor Hugo"),
    S("boulevard Gambetta"),   S("rue Pasteur"),        S("place de la Mairie"),
    S("rue du Moulin"),        S("chemin des Vignes"),  S("avenue de la Gare"),
    S("rue des Écoles"),       S("allée des Tilleuls"), S("rue Nationale")};
constexpr std::array<City, 15> kFrCities{{
    {"Paris", "75011", "Europe/Paris"},
    {"Paris", "75015", "Europe/Paris"},
    {"Lyon", "69003", "Europe/Paris"},
    {"Marseille", "13008", "Europe/Paris"},
    {"Toulouse", "31000", "Europe/Paris"},
    {"Nice", "06000", "Europe/Paris"},
    {"Nantes", "44000", "Europe/Paris"},
    {"Strasbourg", "67000", "Europe/Paris"},
    {"Montpellier", "34000", "Europe/Paris"},
    {"Bordeaux", "33000", "Europe/Paris"},
    {"Lille", "59000", "Europe/Paris"},
    {"Rennes", "35000", "Europe/Paris"},
    {"Grenoble", "38000", "Europe/Paris"},
    {"Dijon", "21000", "Europe/Paris"},
    {"Angers", "49000", "Europe/Paris"},
}};

// ---- Germany
constexpr std::array kDeMobile{S("+49151XXXXXXXX"), S("+49160XXXXXXX"), S("+49170XXXXXXX"),
                               S("+49176XXXXXXXX")};
constexpr std::array kDeFemale{
    S("Anna"),   S("Lena"),      S("Lea"),       S("Hannah"),  S("Laura"),    S("Sarah"),
    S("Julia"),  S("Lisa"),      S("Katharina"), S("Sophie"),  S("Marie"),    S("Johanna"),
    S("Sabine"), S("Claudia"),   S("Petra"),     S("Andrea"),  S("Stefanie"), S("Nicole"),
    S("Jana"),   S("Franziska"), S("Jessica"),   S("Melanie"), S("Ursula"),   S("Monika")};
constexpr std::array kDeMale{
    S("Lukas"),   S("Leon"),      S("Jonas"),    S("Felix"),  S("Paul"),    S("Maximilian"),
    S("Finn"),    S("Elias"),     S("Tim"),      S("Jan"),    S("Niklas"),  S("Tobias"),
    S("Florian"), S("Sebastian"), S("Michael"),  S("Thomas"), S("Andreas"), S("Stefan"),
    S("Markus"),  S("Christian"), S("Matthias"), S("Jürgen"), S("Klaus"),   S("Wolfgang")};
constexpr std::array kDeLast{
    S("Müller"),  S("Schmidt"),    S("Schneider"), S("Fischer"),  S("Weber"),    S("Meyer"),
    S("Wagner"),  S("Becker"),     S("Schulz"),    S("Hoffmann"), S("Schäfer"),  S("Koch"),
    S("Bauer"),   S("Richter"),    S("Klein"),     S("Wolf"),     S("Schröder"), S("Neumann"),
    S("Schwarz"), S("Zimmermann"), S("Braun"),     S("Krüger"),   S("Hofmann"),  S("Hartmann"),
    S("Lange"),   S("Schmitt"),    S("Werner"),    S("Schmitz"),  S("Krause"),   S("Meier"),
    S("Lehmann"), S("Köhler")};
constexpr std::array kDeStreets{S("Hauptstraße"),   S("Schulstraße"),  S("Gartenstraße"),
                                S("Bahnhofstraße"), S("Dorfstraße"),   S("Bergstraße"),
                                S("Birkenweg"),     S("Lindenstraße"), S("Kirchstraße"),
                                S("Waldstraße"),    S("Goethestraße"), S("Schillerstraße")};
constexpr std::array<City, 15> kDeCities{{
    {"Berlin", "10115", "Europe/Berlin"},
    {"Berlin", "10999", "Europe/Berlin"},
    {"Hamburg", "20095", "Europe/Berlin"},
    {"München", "80331", "Europe/Berlin"},
    {"Köln", "50667", "Europe/Berlin"},
    {"Frankfurt am Main", "60311", "Europe/Berlin"},
    {"Stuttgart", "70173", "Europe/Berlin"},
    {"Düsseldorf", "40213", "Europe/Berlin"},
    {"Leipzig", "04109", "Europe/Berlin"},
    {"Dortmund", "44135", "Europe/Berlin"},
    {"Essen", "45127", "Europe/Berlin"},
    {"Bremen", "28195", "Europe/Berlin"},
    {"Dresden", "01067", "Europe/Berlin"},
    {"Hannover", "30159", "Europe/Berlin"},
    {"Nürnberg", "90402", "Europe/Berlin"},
}};

// ---- United Kingdom
constexpr std::array kGbMobile{S("+447700900XXX")};
constexpr std::array kGbFemale{
    S("Olivia"),  S("Amelia"), S("Isla"),     S("Ava"),       S("Emily"),  S("Sophie"),
    S("Grace"),   S("Lily"),   S("Jessica"),  S("Charlotte"), S("Hannah"), S("Chloe"),
    S("Rebecca"), S("Lucy"),   S("Emma"),     S("Sarah"),     S("Laura"),  S("Rachel"),
    S("Helen"),   S("Claire"), S("Victoria"), S("Eleanor")};
constexpr std::array kGbMale{S("Oliver"),  S("George"),  S("Harry"),  S("Jack"),    S("Noah"),
                             S("Charlie"), S("Jacob"),   S("Thomas"), S("James"),   S("William"),
                             S("Oscar"),   S("Alfie"),   S("Daniel"), S("Samuel"),  S("Joseph"),
                             S("David"),   S("Matthew"), S("Andrew"), S("Richard"), S("Paul"),
                             S("Mark"),    S("Callum")};
constexpr std::array kGbLast{S("Smith"),   S("Jones"),    S("Williams"), S("Taylor"), S("Brown"),
                             S("Davies"),  S("Evans"),    S("Wilson"),   S("Thomas"), S("Johnson"),
                             S("Roberts"), S("Robinson"), S("Thompson"), S("Wright"), S("Walker"),
                             S("White"),   S("Edwards"),  S("Hughes"),   S("Green"),  S("Hall"),
                             S("Lewis"),   S("Harris"),   S("Clarke"),   S("Patel"),  S("Jackson"),
                             S("Wood"),    S("Turner"),   S("Cooper"),   S("Hill"),   S("O'Brien")};
constexpr std::array kGbStreets{S("High Street"),   S("Station Road"), S("Church Lane"),
                                S("Victoria Road"), S("Green Lane"),   S("Manor Road"),
                                S("Park Avenue"),   S("Mill Lane"),    S("Queens Road"),
                                S("The Crescent"),  S("King Street"),  S("London Road")};
constexpr std::array<City, 15> kGbCities{{
    {"London", "EC1A 1BB", "Europe/London"},
    {"London", "SE1 7PB", "Europe/London"},
    {"London", "N1 9GU", "Europe/London"},
    {"Manchester", "M1 1AE", "Europe/London"},
    {"Birmingham", "B1 1BB", "Europe/London"},
    {"Leeds", "LS1 4DY", "Europe/London"},
    {"Glasgow", "G1 1XQ", "Europe/London"},
    {"Edinburgh", "EH1 1YZ", "Europe/London"},
    {"Bristol", "BS1 4DJ", "Europe/London"},
    {"Liverpool", "L1 8JQ", "Europe/London"},
    {"Cardiff", "CF10 1EP", "Europe/London"},
    {"Newcastle upon Tyne", "NE1 7RU", "Europe/London"},
    {"Sheffield", "S1 2HE", "Europe/London"},
    {"Oxford", "OX1 2JD", "Europe/London"},
    {"Cambridge", "CB2 1TN", "Europe/London"},
}};

// ---- United States
constexpr std::array kUsMobile{S("+1AAA55501XX")};
constexpr std::array kUsFemale{
    S("Emma"),    S("Olivia"),   S("Ava"),    S("Sophia"),    S("Isabella"), S("Mia"),
    S("Abigail"), S("Madison"),  S("Emily"),  S("Elizabeth"), S("Jennifer"), S("Jessica"),
    S("Ashley"),  S("Sarah"),    S("Amanda"), S("Megan"),     S("Lauren"),   S("Brittany"),
    S("Rachel"),  S("Samantha"), S("Nicole"), S("Michelle"),  S("Kimberly"), S("Patricia")};
constexpr std::array kUsMale{
    S("Liam"),        S("Noah"),    S("William"),   S("James"),   S("Benjamin"), S("Mason"),
    S("Ethan"),       S("Michael"), S("Alexander"), S("Daniel"),  S("Matthew"),  S("Joshua"),
    S("Christopher"), S("Andrew"),  S("Tyler"),     S("Brandon"), S("Ryan"),     S("Justin"),
    S("Kevin"),       S("Robert"),  S("John"),      S("David"),   S("Anthony"),  S("Jose")};
constexpr std::array kUsLast{
    S("Smith"),    S("Johnson"), S("Williams"),  S("Brown"),    S("Jones"),     S("Garcia"),
    S("Miller"),   S("Davis"),   S("Rodriguez"), S("Martinez"), S("Hernandez"), S("Lopez"),
    S("Gonzalez"), S("Wilson"),  S("Anderson"),  S("Thomas"),   S("Taylor"),    S("Moore"),
    S("Jackson"),  S("Martin"),  S("Lee"),       S("Perez"),    S("Thompson"),  S("White"),
    S("Harris"),   S("Sanchez"), S("Clark"),     S("Ramirez"),  S("Lewis"),     S("Robinson"),
    S("Walker"),   S("Young"),   S("Nguyen"),    S("Kim")};
constexpr std::array kUsStreets{S("Main St"), S("Oak St"),         S("Maple Ave"),    S("Cedar Ln"),
                                S("Elm St"),  S("Washington Ave"), S("Park Ave"),     S("Lake Dr"),
                                S("Pine St"), S("Sunset Blvd"),    S("Highland Ave"), S("2nd St")};
constexpr std::array<City, 16> kUsCities{{
    {"New York", "10001", "America/New_York", "NY", "212"},
    {"Brooklyn", "11201", "America/New_York", "NY", "718"},
    {"Los Angeles", "90012", "America/Los_Angeles", "CA", "213"},
    {"San Francisco", "94103", "America/Los_Angeles", "CA", "415"},
    {"Chicago", "60601", "America/Chicago", "IL", "312"},
    {"Houston", "77002", "America/Chicago", "TX", "713"},
    {"Phoenix", "85004", "America/Phoenix", "AZ", "602"},
    {"Philadelphia", "19103", "America/New_York", "PA", "215"},
    {"San Diego", "92101", "America/Los_Angeles", "CA", "619"},
    {"Dallas", "75201", "America/Chicago", "TX", "214"},
    {"Seattle", "98101", "America/Los_Angeles", "WA", "206"},
    {"Denver", "80202", "America/Denver", "CO", "303"},
    {"Boston", "02108", "America/New_York", "MA", "617"},
    {"Atlanta", "30303", "America/New_York", "GA", "404"},
    {"Miami", "33130", "America/New_York", "FL", "305"},
    {"Austin", "78701", "America/Chicago", "TX", "512"},
}};

// ---- Spain
constexpr std::array kEsMobile{S("+346XXXXXXXX")};
constexpr std::array kEsFemale{S("María"),  S("Lucía"),    S("Paula"),  S("Laura"), S("Marta"),
                               S("Andrea"), S("Sara"),     S("Carmen"), S("Ana"),   S("Isabel"),
                               S("Elena"),  S("Cristina"), S("Raquel"), S("Alba"),  S("Claudia"),
                               S("Sofía"),  S("Julia"),    S("Irene"),  S("Nuria"), S("Pilar")};
constexpr std::array kEsMale{S("Hugo"),   S("Martín"), S("Daniel"), S("Pablo"),   S("Alejandro"),
                             S("Álvaro"), S("Adrián"), S("David"),  S("Javier"),  S("Diego"),
                             S("Carlos"), S("Manuel"), S("José"),   S("Antonio"), S("Sergio"),
                             S("Jorge"),  S("Miguel"), S("Raúl"),   S("Iván"),    S("Rubén")};
constexpr std::array kEsLast{
    S("García"),    S("Rodríguez"), S("González"), S("Fernández"), S("López"),     S("Martínez"),
    S("Sánchez"),   S("Pérez"),     S("Gómez"),    S("Martín"),    S("Jiménez"),   S("Ruiz"),
    S("Hernández"), S("Díaz"),      S("Moreno"),   S("Muñoz"),     S("Álvarez"),   S("Romero"),
    S("Alonso"),    S("Gutiérrez"), S("Navarro"),  S("Torres"),    S("Domínguez"), S("Vázquez"),
    S("Ramos"),     S("Gil"),       S("Serrano"),  S("Blanco")};
constexpr std::array kEsStreets{S("Calle Mayor"),
                                S("Calle Real"),
                                S("Avenida de la Constitución"),
                                S("Calle del Sol"),
                                S("Gran Vía"),
                                S("Calle de Alcalá"),
                                S("Paseo de la Castellana"),
                                S("Calle San Juan"),
                                S("Plaza de España"),
                                S("Calle de la Iglesia")};
constexpr std::array<City, 12> kEsCities{{
    {"Madrid", "28013", "Europe/Madrid"},
    {"Madrid", "28004", "Europe/Madrid"},
    {"Barcelona", "08001", "Europe/Madrid"},
    {"Valencia", "46002", "Europe/Madrid"},
    {"Sevilla", "41004", "Europe/Madrid"},
    {"Zaragoza", "50001", "Europe/Madrid"},
    {"Málaga", "29015", "Europe/Madrid"},
    {"Bilbao", "48001", "Europe/Madrid"},
    {"Alicante", "03002", "Europe/Madrid"},
    {"Valladolid", "47001", "Europe/Madrid"},
    {"Palma", "07001", "Europe/Madrid"},
    {"Las Palmas de Gran Canaria", "35001", "Atlantic/Canary"},
}};

// ---- Italy (mobile numbers start with 3; there is no trunk prefix)
constexpr std::array kItMobile{S("+39320XXXXXXX"), S("+39333XXXXXXX"), S("+39347XXXXXXX"),
                               S("+39348XXXXXXX"), S("+39389XXXXXXX")};
constexpr std::array kItFemale{S("Sofia"),     S("Giulia"),    S("Aurora"),   S("Alice"),
                               S("Ginevra"),   S("Emma"),      S("Giorgia"),  S("Beatrice"),
                               S("Chiara"),    S("Francesca"), S("Sara"),     S("Martina"),
                               S("Valentina"), S("Elena"),     S("Federica"), S("Alessandra"),
                               S("Silvia"),    S("Paola"),     S("Laura"),    S("Anna")};
constexpr std::array kItMale{S("Leonardo"), S("Francesco"), S("Alessandro"), S("Lorenzo"),
                             S("Mattia"),   S("Andrea"),    S("Gabriele"),   S("Riccardo"),
                             S("Tommaso"),  S("Edoardo"),   S("Marco"),      S("Luca"),
                             S("Giuseppe"), S("Giovanni"),  S("Davide"),     S("Matteo"),
                             S("Simone"),   S("Stefano"),   S("Antonio"),    S("Paolo")};
constexpr std::array kItLast{
    S("Rossi"),    S("Russo"),   S("Ferrari"),  S("Esposito"), S("Bianchi"),  S("Romano"),
    S("Colombo"),  S("Ricci"),   S("Marino"),   S("Greco"),    S("Bruno"),    S("Gallo"),
    S("Conti"),    S("De Luca"), S("Mancini"),  S("Costa"),    S("Giordano"), S("Rizzo"),
    S("Lombardi"), S("Moretti"), S("Barbieri"), S("Fontana"),  S("Santoro"),  S("Mariani")};
constexpr std::array kItStreets{
    S("Via Roma"),    S("Via Garibaldi"), S("Via Mazzini"), S("Corso Italia"),
    S("Via Dante"),   S("Via Verdi"),     S("Via Cavour"),  S("Piazza della Repubblica"),
    S("Via Marconi"), S("Viale Europa")};
constexpr std::array<City, 11> kItCities{{
    {"Roma", "00184", "Europe/Rome"},
    {"Milano", "20121", "Europe/Rome"},
    {"Napoli", "80133", "Europe/Rome"},
    {"Torino", "10121", "Europe/Rome"},
    {"Palermo", "90133", "Europe/Rome"},
    {"Genova", "16121", "Europe/Rome"},
    {"Bologna", "40121", "Europe/Rome"},
    {"Firenze", "50122", "Europe/Rome"},
    {"Bari", "70121", "Europe/Rome"},
    {"Venezia", "30121", "Europe/Rome"},
    {"Verona", "37121", "Europe/Rome"},
}};

// ---- Netherlands
constexpr std::array kNlMobile{S("+316XXXXXXXX")};
constexpr std::array kNlFemale{S("Emma"),  S("Julia"), S("Sophie"), S("Tess"), S("Anna"),
                               S("Sara"),  S("Lotte"), S("Fleur"),  S("Eva"),  S("Lisa"),
                               S("Sanne"), S("Anouk"), S("Femke"),  S("Iris"), S("Noa"),
                               S("Maud"),  S("Lieke"), S("Esther")};
constexpr std::array kNlMale{S("Daan"),  S("Sem"),    S("Lucas"), S("Levi"),  S("Finn"),
                             S("Milan"), S("Bram"),   S("Thijs"), S("Jesse"), S("Ruben"),
                             S("Lars"),  S("Stijn"),  S("Tim"),   S("Niels"), S("Jeroen"),
                             S("Bas"),   S("Sander"), S("Pieter")};
constexpr std::array kNlLast{
    S("de Jong"),  S("Jansen"),  S("de Vries"), S("van den Berg"), S("van Dijk"), S("Bakker"),
    S("Janssen"),  S("Visser"),  S("Smit"),     S("Meijer"),       S("de Boer"),  S("Mulder"),
    S("de Groot"), S("Bos"),     S("Vos"),      S("Peters"),       S("Hendriks"), S("van Leeuwen"),
    S("Dekker"),   S("Brouwer"), S("de Wit"),   S("Dijkstra")};
constexpr std::array kNlStreets{
    S("Kerkstraat"),    S("Dorpsstraat"), S("Molenweg"),    S("Stationsweg"),   S("Schoolstraat"),
    S("Julianastraat"), S("Beatrixlaan"), S("Nieuwstraat"), S("Prinsengracht"), S("Markt")};
constexpr std::array<City, 11> kNlCities{{
    {"Amsterdam", "1012 AB", "Europe/Amsterdam"},
    {"Rotterdam", "3011 AD", "Europe/Amsterdam"},
    {"Den Haag", "2511 BT", "Europe/Amsterdam"},
    {"Utrecht", "3511 AX", "Europe/Amsterdam"},
    {"Eindhoven", "5611 AB", "Europe/Amsterdam"},
    {"Groningen", "9711 LM", "Europe/Amsterdam"},
    {"Tilburg", "5038 CB", "Europe/Amsterdam"},
    {"Almere", "1315 AA", "Europe/Amsterdam"},
    {"Breda", "4811 AA", "Europe/Amsterdam"},
    {"Nijmegen", "6511 AA", "Europe/Amsterdam"},
    {"Haarlem", "2011 HL", "Europe/Amsterdam"},
}};

// ---- Belgium (language by city: French in Brussels and Wallonia, Dutch in Flanders)
constexpr std::array kBeMobile{S("+32470XXXXXX"), S("+32475XXXXXX"), S("+32486XXXXXX"),
                               S("+32495XXXXXX")};
constexpr std::array kBeFemale{
    S("Emma"),  S("Louise"),    S("Olivia"), S("Elena"),    S("Marie"), S("Lina"),
    S("Julie"), S("Charlotte"), S("Sofie"),  S("Nathalie"), S("Els"),   S("Ann"),
    S("Inge"),  S("Céline"),    S("Manon"),  S("Camille"),  S("Laura"), S("Elise")};
constexpr std::array kBeMale{S("Noah"),    S("Arthur"), S("Louis"),  S("Liam"),   S("Lucas"),
                             S("Adam"),    S("Jules"),  S("Victor"), S("Thomas"), S("Nicolas"),
                             S("Wouter"),  S("Pieter"), S("Koen"),   S("Bart"),   S("Maxime"),
                             S("Antoine"), S("Jan"),    S("Tom")};
constexpr std::array kBeLast{S("Peeters"),   S("Janssens"),  S("Maes"),    S("Jacobs"),
                             S("Mertens"),   S("Willems"),   S("Claes"),   S("Goossens"),
                             S("Wouters"),   S("De Smet"),   S("Dubois"),  S("Lambert"),
                             S("Dupont"),    S("Martin"),    S("Simon"),   S("Leclercq"),
                             S("Vermeulen"), S("Van Damme"), S("Hermans"), S("Michiels")};
constexpr std::array kBeStreets{S("Kerkstraat"),      S("Stationsstraat"), S("Rue de la Station"),
                                S("Rue de l'Église"), S("Rue Neuve"),      S("Dorpstraat"),
                                S("Avenue Louise"),   S("Nieuwstraat"),    S("Rue du Moulin")};
constexpr std::array<City, 10> kBeCities{{
    {"Bruxelles", "1000", "Europe/Brussels", "", "", "fr-BE"},
    {"Antwerpen", "2000", "Europe/Brussels", "", "", "nl-BE"},
    {"Gent", "9000", "Europe/Brussels", "", "", "nl-BE"},
    {"Charleroi", "6000", "Europe/Brussels", "", "", "fr-BE"},
    {"Liège", "4000", "Europe/Brussels", "", "", "fr-BE"},
    {"Brugge", "8000", "Europe/Brussels", "", "", "nl-BE"},
    {"Namur", "5000", "Europe/Brussels", "", "", "fr-BE"},
    {"Leuven", "3000", "Europe/Brussels", "", "", "nl-BE"},
    {"Mons", "7000", "Europe/Brussels", "", "", "fr-BE"},
    {"Mechelen", "2800", "Europe/Brussels", "", "", "nl-BE"},
}};

constexpr std::array<Country, 8> kCountries{{
    {"FR", 22, "fr-FR", "EUR", 1.0, true, kFrMobile, kFrFemale, kFrMale, kFrLast, kFrStreets,
     kFrCities},
    {"DE", 14, "de-DE", "EUR", 1.0, false, kDeMobile, kDeFemale, kDeMale, kDeLast, kDeStreets,
     kDeCities},
    {"GB", 14, "en-GB", "GBP", 0.86, true, kGbMobile, kGbFemale, kGbMale, kGbLast, kGbStreets,
     kGbCities},
    {"US", 18, "en-US", "USD", 1.08, true, kUsMobile, kUsFemale, kUsMale, kUsLast, kUsStreets,
     kUsCities},
    {"ES", 9, "es-ES", "EUR", 1.0, false, kEsMobile, kEsFemale, kEsMale, kEsLast, kEsStreets,
     kEsCities},
    {"IT", 10, "it-IT", "EUR", 1.0, false, kItMobile, kItFemale, kItMale, kItLast, kItStreets,
     kItCities},
    {"NL", 7, "nl-NL", "EUR", 1.0, false, kNlMobile, kNlFemale, kNlMale, kNlLast, kNlStreets,
     kNlCities},
    {"BE", 6, "nl-BE", "EUR", 1.0, false, kBeMobile, kBeFemale, kBeMale, kBeLast, kBeStreets,
     kBeCities},
}};

constexpr std::array<Product, 31> kCatalog{{
    {"BK-1001", "The Silent Harbor (paperback)", "books", 12.90},
    {"BK-1002", "Cooking for Friends", "books", 29.00},
    {"BK-1003", "A Short History of Maps", "books", 24.50},
    {"BK-1004", "Learn Photography", "books", 34.90},
    {"BK-1005", "Children's Atlas of the World", "books", 19.90},
    {"BK-1006", "Mystery Box Set (3 novels)", "books", 39.00},
    {"EL-2001", "Wireless Earbuds", "electronics", 79.00},
    {"EL-2002", "Smart Watch S3", "electronics", 229.00},
    {"EL-2003", "Bluetooth Speaker", "electronics", 59.90},
    {"EL-2004", "USB-C Charger 65 W", "electronics", 39.90},
    {"EL-2005", "E-Reader 7 inch", "electronics", 139.00},
    {"EL-2006", "Noise-Cancelling Headphones", "electronics", 299.00},
    {"EL-2007", "Action Camera", "electronics", 189.00},
    {"HM-3001", "Scented Candle", "home", 14.90},
    {"HM-3002", "Linen Bed Set", "home", 89.00},
    {"HM-3003", "Cast-Iron Pan 28 cm", "home", 49.90},
    {"HM-3004", "Espresso Machine", "home", 249.00},
    {"HM-3005", "Ceramic Vase", "home", 34.00},
    {"HM-3006", "Bath Towel Set", "home", 39.00},
    {"FA-4001", "Organic Cotton T-Shirt", "fashion", 24.90},
    {"FA-4002", "Slim Jeans", "fashion", 69.00},
    {"FA-4003", "Wool Sweater", "fashion", 89.00},
    {"FA-4004", "Leather Sneakers", "fashion", 119.00},
    {"FA-4005", "Rain Jacket", "fashion", 129.00},
    {"FA-4006", "Silk Scarf", "fashion", 45.00},
    {"SP-5001", "Yoga Mat", "sports", 29.90},
    {"SP-5002", "Running Shoes", "sports", 109.00},
    {"SP-5003", "Insulated Water Bottle", "sports", 24.00},
    {"SP-5004", "Tennis Racket", "sports", 149.00},
    {"SP-5005", "Cycling Helmet", "sports", 79.00},
    {"SP-5006", "Resistance Bands Set", "sports", 19.90},
}};

struct LanguageSalutation {
    std::string_view prefix;  // language code, or language-region
    std::string_view female;
    std::string_view male;
};

constexpr std::array<LanguageSalutation, 7> kSalutations{{
    {"fr", "Mme", "M."},
    {"de", "Frau", "Herr"},
    {"nl", "Mevr.", "Dhr."},
    {"en-US", "Ms.", "Mr."},
    {"en", "Ms", "Mr"},
    {"es", "Sra.", "Sr."},
    {"it", "Sig.ra", "Sig."},
}};

}  // namespace

std::span<const Country> Countries() { return kCountries; }
std::span<const Product> Catalog() { return kCatalog; }

std::string_view Salutation(std::string_view language, bool female) {
    for (const auto& s : kSalutations) {
        if (language.starts_with(s.prefix)) return female ? s.female : s.male;
    }
    return {};
}

}  // namespace overture::app::demo
