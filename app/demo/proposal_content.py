"""Text for the demo: RMAPI-like events, ideas and the 22 project outlines (fictional detail)."""

NEIGHBORHOODS = (
    "Marketview Heights",
    "Beechwood",
    "EMMA",
    "Upper Falls",
    "Edgerton",
    "Dutchtown",
    "Lyell-Otis",
    "JOSANA",
    "Plymouth-Exchange",
    "Corn Hill",
    "19th Ward",
    "Genesee-Jefferson",
    "South Wedge",
    "Swillburg",
    "Maplewood",
    "Charlotte",
    "North Winton Village",
    "Homestead Heights",
    "Atlantic-University",
    "Mayor's Heights",
    "Brown Square",
    "Pearl-Meigs-Monroe",
)

STREETS = (
    "North Clinton Ave",
    "Joseph Ave",
    "Lake Ave",
    "Genesee St",
    "Dewey Ave",
    "Hudson Ave",
    "Main St East",
    "Portland Ave",
    "Jefferson Ave",
    "Chili Ave",
    "Thurston Rd",
    "Monroe Ave",
    "South Ave",
    "Lyell Ave",
    "Culver Rd",
)

FORMAL_EVENTS = (
    "Community kickoff: What would you do with $200,000?",
    "Idea assembly at the Central Library",
    "Youth idea assembly",
    "Neighborhood idea assembly, northeast quadrant",
    "Neighborhood idea assembly, southwest quadrant",
)

INFORMAL_EVENT_KINDS = (
    "Pop-up table at the Public Market",
    "Idea table at the recreation center",
    "Block party idea board",
    "Food pantry line conversations",
    "Church fellowship hour",
    "Barbershop conversation",
    "Laundromat pop-up",
    "Bus stop survey",
    "Farmers market table",
    "Parent night at the school",
    "Senior center lunch",
    "Library story time for parents",
)

VOTING_SITE_KINDS = (
    "Public library branch",
    "Recreation center",
    "Community center",
    "Church hall",
    "Food pantry",
    "Health center lobby",
    "Housing authority office",
    "School main office",
    "Senior center",
)

# (category, title, description, how strongly delegates tend to rate it: 1.0-5.0)
IDEA_SEEDS = (
    (
        "Food",
        "Rescue food before it goes to the landfill",
        "Grocers and restaurants throw away good food; pick it up and bring it to pantries.",
        4.7,
    ),
    (
        "Food",
        "Fresh produce at corner stores",
        "Help corner stores stock fruit and vegetables at fair prices.",
        3.6,
    ),
    (
        "Food",
        "Community garden on the vacant lot",
        "Turn the empty lot into raised beds neighbors can share.",
        3.4,
    ),
    ("Food", "Weekend meals for school children", "Send kids home with food on Fridays.", 3.9),
    (
        "Childcare",
        "Childcare for night and weekend shifts",
        "Parents on B and C shifts cannot find childcare; daycares close at 6.",
        4.6,
    ),
    (
        "Childcare",
        "Drop-in childcare during job interviews",
        "A place to leave children for a few hours while looking for work.",
        3.7,
    ),
    (
        "Childcare",
        "Help paying the daycare deposit",
        "The deposit keeps parents from starting a new job.",
        3.5,
    ),
    (
        "Jobs",
        "Green jobs training for young adults",
        "Train people in weatherization, solar and tree care while fixing up the neighborhood.",
        4.5,
    ),
    (
        "Jobs",
        "Summer jobs for teenagers in the parks",
        "Pay teens to clean and care for neighborhood parks.",
        3.9,
    ),
    (
        "Jobs",
        "Bus passes for people looking for work",
        "Getting to interviews costs money people do not have.",
        3.6,
    ),
    (
        "Jobs",
        "Driver's license help",
        "Permits, lessons and road-test cars, so more jobs are reachable.",
        3.5,
    ),
    (
        "Housing",
        "Tiny homes for people who are chronically homeless",
        "Small, permanent homes with support services, like the REACH project.",
        4.6,
    ),
    (
        "Housing",
        "Emergency fund to stop evictions",
        "One-time help with rent or utilities keeps families housed.",
        4.5,
    ),
    (
        "Housing",
        "Repairs for older homeowners",
        "Leaky roofs and broken furnaces push seniors out of their homes.",
        3.7,
    ),
    (
        "Housing",
        "Lead-safe windows",
        "Replace old windows that poison children with lead dust.",
        3.8,
    ),
    (
        "Housing",
        "Tenant rights hotline in Spanish",
        "Many tenants do not know their rights or cannot get help in their language.",
        3.4,
    ),
    (
        "Health",
        "Mobile health van",
        "A clinic on wheels for blood pressure, diabetes and vaccines.",
        3.6,
    ),
    (
        "Health",
        "Community health workers for new mothers",
        "Home visits in the first year after birth.",
        3.7,
    ),
    (
        "Health",
        "Trauma-informed training for neighborhood groups",
        "Help block clubs and coaches respond to trauma.",
        3.5,
    ),
    (
        "Youth",
        "After-school tutoring",
        "Homework help and mentoring at the recreation center.",
        3.8,
    ),
    (
        "Youth",
        "Wi-Fi and laptops at recreation centers",
        "Many children have no internet at home.",
        3.4,
    ),
    (
        "Safety",
        "Brighter street lights on dark corners",
        "Dark corners feel unsafe walking home from the bus.",
        3.3,
    ),
    (
        "Money",
        "Free tax preparation clinics",
        "Families lose money to paid preparers and miss credits.",
        3.2,
    ),
    (
        "Money",
        "Financial coaching and credit repair",
        "One-on-one help to fix credit and save.",
        3.3,
    ),
    (
        "Money",
        "Laundromat vouchers for families",
        "Clean clothes matter for school attendance and job interviews.",
        3.0,
    ),
    (
        "Transport",
        "Rides for seniors to appointments",
        "Volunteer drivers for seniors who cannot take the bus.",
        3.4,
    ),
    (
        "Environment",
        "More trees on bare streets",
        "Shade, cleaner air and lower summer bills.",
        3.1,
    ),
    (
        "Environment",
        "Neighborhood clean-up days with tools",
        "Tools and dumpsters for monthly clean-ups.",
        2.9,
    ),
)

WINNER_EQUITY = {
    "food": {
        "goal": "Less good food thrown away; fuller shelves at community pantries.",
        "stakeholders": "Grocers, restaurants, pantry volunteers and drivers; pantry users "
        "sit on the steering group that picks routes.",
        "benefits": "Families who use pantries in high-poverty neighborhoods.",
        "burdens": "Volunteer time; pantries need storage space.",
        "equity_impact": "Brings fresh food to neighborhoods with few grocery stores, most of "
        "them communities of color.",
        "needs": "A refrigerated van, food-safety training, and agreements with donors.",
    },
    "childcare": {
        "goal": "Childcare parents can use when they work evening and night shifts.",
        "stakeholders": "Parents on B and C shifts, home daycare providers, employers; "
        "parents shape the hours through a survey and a parents' council.",
        "benefits": "Working parents, most of them single mothers, and their children.",
        "burdens": "Providers working unusual hours; none for residents.",
        "equity_impact": "Removes a barrier that keeps low-income parents, especially women "
        "of color, out of better-paid shift work.",
        "needs": "Licensed providers willing to open at night, and employer partners.",
    },
    "green_jobs": {
        "goal": "Paid training in green trades for young adults, on neighborhood projects.",
        "stakeholders": "Young adults, training partners, contractors and block clubs "
        "choosing the projects.",
        "benefits": "Unemployed young adults and the blocks whose homes are weatherized.",
        "burdens": "Short-term noise and work on the blocks chosen.",
        "equity_impact": "Opens skilled trades to young people of color who were shut out "
        "of them, and lowers energy bills for low-income households.",
        "needs": "Employers committed to hiring graduates.",
    },
    "tiny_homes": {
        "goal": "Permanent tiny homes, with support services, for chronically homeless people.",
        "stakeholders": "REACH, people who have been homeless, neighbors near the site, "
        "service providers; future residents help design the homes.",
        "benefits": "People who have been homeless for years.",
        "burdens": "Neighbors near the site may fear change; REACH holds listening sessions.",
        "equity_impact": "Homelessness falls hardest on Black residents and people with "
        "trauma; a home is the base for everything else.",
        "needs": "Land, zoning approval, and case management funded for the long term.",
    },
    "emergency_housing": {
        "goal": "Keep families housed with one-time help with rent or utilities.",
        "stakeholders": "Tenants, landlords, legal aid and housing counselors.",
        "benefits": "Families one crisis away from eviction.",
        "burdens": "None for residents; landlords wait a few days for payment.",
        "equity_impact": "Evictions fall most on Black and Latina women with children; "
        "stopping one prevents a spiral of school changes and job loss.",
        "needs": "Quick approval (days, not weeks) and outreach in several languages.",
    },
}

# The equity assessments of the other seventeen proposals: every proposal on the ballot
# answers every question (approval requires it).
OTHER_EQUITY = {
    "youth_jobs": {
        "goal": "Paid summer work and cleaner parks.",
        "stakeholders": "Teens, parents, the parks department; a youth council picks the parks.",
        "benefits": "Teens from low-income families and the neighbors who use the parks.",
        "burdens": "Supervision time for parks staff.",
        "equity_impact": "First jobs for teens of color, who are hired least in summer.",
        "needs": "Supervisors and work permits before June.",
    },
    "bus_passes": {
        "goal": "Get job seekers to training and interviews.",
        "stakeholders": "Job seekers, training programs and the transit authority.",
        "benefits": "Residents without a car who are in training or looking for work.",
        "burdens": "None for residents; programs hand out and track the passes.",
        "equity_impact": "Removes a cost that falls on the poorest households first.",
        "needs": "An agreement with the transit authority on bulk passes.",
    },
    "health_van": {
        "goal": "Basic health checks where people live.",
        "stakeholders": "Residents, a health center, block clubs choosing the stops.",
        "benefits": "Uninsured and older residents of the northeast quadrant.",
        "burdens": "Parking space at the weekly stops.",
        "equity_impact": "Brings care to neighborhoods with the worst diabetes and blood "
        "pressure rates and the fewest clinics.",
        "needs": "A nurse and a health-center partner for referrals.",
    },
    "gardens": {
        "goal": "Fresh vegetables and green space on empty lots.",
        "stakeholders": "Block clubs, neighbors, the city's land bank.",
        "benefits": "Families on blocks with vacant lots and no nearby grocery store.",
        "burdens": "Volunteer work all season.",
        "equity_impact": "Turns neglected lots in disinvested neighborhoods into shared food.",
        "needs": "Lease of the lots and a water hookup.",
    },
    "lights": {
        "goal": "Safer streets at night.",
        "stakeholders": "Residents who named the corners, the city's lighting office.",
        "benefits": "People who walk home from late shifts and bus stops.",
        "burdens": "Brief work on each corner.",
        "equity_impact": "Dark corners are concentrated in the poorest neighborhoods.",
        "needs": "The utility's approval for each pole.",
    },
    "tax": {
        "goal": "Families keep their refunds and tax credits.",
        "stakeholders": "Families, volunteer preparers, the library system.",
        "benefits": "Working families who pay to have taxes done or miss credits.",
        "burdens": "Volunteer time during tax season.",
        "equity_impact": "Earned income credits reach the families they were meant for.",
        "needs": "Trained volunteers and private rooms at libraries.",
    },
    "laundry": {
        "goal": "Clean clothes so children come to school.",
        "stakeholders": "Families, school social workers, laundromat owners.",
        "benefits": "Families with school-age children who lack a washer.",
        "burdens": "Schools hand out and count vouchers.",
        "equity_impact": "Lowers absences among children in poverty.",
        "needs": "Agreements with laundromats near the schools.",
    },
    "licenses": {
        "goal": "Adults get the driver's license their job needs.",
        "stakeholders": "Job seekers, driving schools, employers.",
        "benefits": "Adults shut out of jobs that need a license or a car.",
        "burdens": "Instructor time and insurance for the cars.",
        "equity_impact": "Opens suburban jobs to city residents without licenses.",
        "needs": "Road-test cars and licensed instructors.",
    },
    "trauma": {
        "goal": "Neighbors who know how to respond to trauma.",
        "stakeholders": "Block clubs, coaches, faith groups and counselors.",
        "benefits": "Children and adults living with violence and loss.",
        "burdens": "Training time for volunteers.",
        "equity_impact": "Addresses trauma, one of the initiative's guiding principles.",
        "needs": "Trainers and follow-up sessions.",
    },
    "coaching": {
        "goal": "Households out of debt and with better credit.",
        "stakeholders": "Households, coaches and credit unions.",
        "benefits": "150 households with poor credit or heavy debt.",
        "burdens": "Time for the households in regular sessions.",
        "equity_impact": "Credit gaps keep families of color from housing and loans.",
        "needs": "Certified coaches and credit-union partners.",
    },
    "repairs": {
        "goal": "Older homeowners stay safely in their homes.",
        "stakeholders": "Homeowners over 62, contractors, a housing nonprofit.",
        "benefits": "Low-income older homeowners with urgent repairs.",
        "burdens": "Short disruption during repairs.",
        "equity_impact": "Protects homes, the main wealth of older Black homeowners.",
        "needs": "Inspectors and vetted contractors.",
    },
    "senior_rides": {
        "goal": "Seniors reach doctors and stores.",
        "stakeholders": "Seniors, volunteer drivers, senior centers.",
        "benefits": "Seniors without a car or a family member to drive them.",
        "burdens": "Volunteer driving time.",
        "equity_impact": "Fewer missed appointments among isolated, low-income seniors.",
        "needs": "Insurance for volunteer drivers and a dispatcher.",
    },
    "tutoring": {
        "goal": "Children catch up in reading and math.",
        "stakeholders": "Children, parents, tutors and recreation center staff.",
        "benefits": "Students behind grade level in city schools.",
        "burdens": "Space at the recreation centers in the afternoons.",
        "equity_impact": "Narrows the gap between city and suburban students.",
        "needs": "Tutors hired and trained before the school year.",
    },
    "wifi": {
        "goal": "Internet access for homework and job searches.",
        "stakeholders": "Youth, parents, recreation center staff.",
        "benefits": "Households without home internet or a computer.",
        "burdens": "Staff track the lending laptops.",
        "equity_impact": "Closes the digital divide in the poorest neighborhoods.",
        "needs": "An internet provider contract and laptop insurance.",
    },
    "lead": {
        "goal": "No more lead dust where children live.",
        "stakeholders": "Families, landlords, the county health department.",
        "benefits": "Children with high lead levels and their families.",
        "burdens": "Families leave the home for a day during the work.",
        "equity_impact": "Lead poisoning falls mostly on Black children in old rentals.",
        "needs": "Landlords' consent and certified lead-safe contractors.",
    },
    "mothers": {
        "goal": "Healthy babies and mothers in the first year.",
        "stakeholders": "New mothers, community health workers, clinics.",
        "benefits": "New mothers with little support, many of them young.",
        "burdens": "None for residents; visits are by invitation.",
        "equity_impact": "Black infants die at twice the rate of white infants here.",
        "needs": "Trained health workers from the same neighborhoods.",
    },
    "hotline": {
        "goal": "Tenants know their rights before an eviction.",
        "stakeholders": "Tenants, legal aid, Spanish-speaking community groups.",
        "benefits": "Tenants, especially Spanish speakers, facing eviction.",
        "burdens": "None for residents; staff answer calls and texts.",
        "equity_impact": "Spanish-speaking tenants get help in their own language.",
        "needs": "Bilingual staff and legal aid referrals.",
    },
}

# key, category, title, summary, cost in dollars, idea seed titles it grew from,
# Spanish (title, summary), Vietnamese (title, summary) or None, location
PROPOSALS = (
    (
        "food",
        "Food",
        "Food recovery for community pantries",
        "Pick up food from grocers and restaurants that would go to the landfill and deliver "
        "it to community pantries, with a refrigerated van and volunteer drivers.",
        40_000,
        ("Rescue food before it goes to the landfill", "Weekend meals for school children"),
        (
            "Recuperación de alimentos para despensas comunitarias",
            "Recoger en tiendas y restaurantes la comida que iría al vertedero y llevarla a las "
            "despensas comunitarias, con una camioneta refrigerada y conductores voluntarios.",
        ),
        (
            "Thu hồi thực phẩm cho các kho thực phẩm cộng đồng",
            "Nhận thực phẩm từ cửa hàng và nhà hàng lẽ ra bị đưa ra bãi rác và chuyển đến các kho "
            "thực phẩm cộng đồng, bằng xe tải đông lạnh và tài xế tình nguyện.",
        ),
        "County-wide",
    ),
    (
        "childcare",
        "Childcare",
        "Childcare for B and C shifts",
        "Evening and overnight childcare slots with licensed home providers, so parents "
        "working second and third shifts can take and keep those jobs.",
        45_000,
        ("Childcare for night and weekend shifts", "Help paying the daycare deposit"),
        (
            "Cuidado infantil para turnos B y C",
            "Plazas de cuidado infantil por la tarde y la noche con proveedores autorizados, para "
            "que madres y padres del segundo y tercer turno puedan aceptar y mantener su empleo.",
        ),
        (
            "Giữ trẻ cho ca B và ca C",
            "Chỗ giữ trẻ buổi tối và qua đêm tại các nhà giữ trẻ có giấy phép, để cha mẹ làm ca "
            "hai và ca ba có thể nhận và giữ công việc.",
        ),
        "City of Rochester",
    ),
    (
        "green_jobs",
        "Jobs",
        "Workforce development through green projects",
        "Paid training for young adults in weatherization, solar installation and tree care, "
        "working on homes and streets in their own neighborhoods.",
        35_000,
        ("Green jobs training for young adults", "More trees on bare streets"),
        (
            "Desarrollo laboral con proyectos verdes",
            "Capacitación pagada para jóvenes adultos en aislamiento térmico, instalación solar y "
            "cuidado de árboles, trabajando en casas y calles de sus propios barrios.",
        ),
        (
            "Phát triển lực lượng lao động qua các dự án xanh",
            "Đào tạo có trả lương cho thanh niên về cách nhiệt nhà ở, lắp đặt điện mặt trời và "
            "chăm sóc cây xanh, làm việc ngay tại khu phố của mình.",
        ),
        "Northeast and southwest quadrants",
    ),
    (
        "tiny_homes",
        "Housing",
        "REACH tiny homes for chronically homeless people",
        "Help REACH build permanent tiny homes, with support services, for people who have "
        "been homeless for years.",
        50_000,
        ("Tiny homes for people who are chronically homeless",),
        (
            "Casas pequeñas de REACH para personas sin hogar crónicas",
            "Ayudar a REACH a construir casas pequeñas permanentes, con servicios de apoyo, para "
            "personas que llevan años sin hogar.",
        ),
        (
            "Nhà nhỏ REACH cho người vô gia cư lâu năm",
            "Giúp REACH xây những căn nhà nhỏ lâu dài, kèm dịch vụ hỗ trợ, cho những người đã vô "
            "gia cư nhiều năm.",
        ),
        "REACH site, City of Rochester",
    ),
    (
        "emergency_housing",
        "Housing",
        "Emergency housing fund",
        "One-time grants for rent, security deposits or utility arrears that keep a family "
        "housed, decided within days.",
        25_000,
        ("Emergency fund to stop evictions", "Tenant rights hotline in Spanish"),
        (
            "Fondo de emergencia para vivienda",
            "Ayudas únicas para alquiler, depósitos o facturas atrasadas de servicios que "
            "mantienen a una familia en su hogar, decididas en pocos días.",
        ),
        (
            "Quỹ nhà ở khẩn cấp",
            "Trợ cấp một lần cho tiền thuê nhà, tiền đặt cọc hoặc hóa đơn điện nước quá hạn để "
            "gia đình giữ được chỗ ở, được quyết định trong vài ngày.",
        ),
        "County-wide",
    ),
    (
        "youth_jobs",
        "Jobs",
        "Summer jobs for teens in city parks",
        "Six-week paid summer jobs for 14-17 year olds caring for neighborhood parks.",
        60_000,
        ("Summer jobs for teenagers in the parks",),
        (
            "Empleos de verano para adolescentes en los parques",
            "Empleos pagados de seis semanas para jóvenes de 14 a 17 años cuidando los parques.",
        ),
        (
            "Việc làm mùa hè cho thiếu niên tại công viên",
            "Việc làm có lương sáu tuần cho thiếu niên 14-17 tuổi chăm sóc công viên khu phố.",
        ),
        "City parks",
    ),
    (
        "bus_passes",
        "Jobs",
        "Bus passes for job seekers",
        "Monthly bus passes for residents in job training or looking for work.",
        30_000,
        ("Bus passes for people looking for work",),
        (
            "Pases de autobús para quienes buscan empleo",
            "Pases mensuales de autobús para residentes en capacitación o buscando trabajo.",
        ),
        (
            "Vé xe buýt cho người tìm việc",
            "Vé xe buýt hằng tháng cho cư dân đang học nghề hoặc tìm việc.",
        ),
        "County-wide",
    ),
    (
        "health_van",
        "Health",
        "Mobile health van",
        "A van with a nurse that visits neighborhoods weekly for blood pressure, diabetes "
        "checks and vaccines.",
        75_000,
        ("Mobile health van",),
        (
            "Camioneta de salud móvil",
            "Una camioneta con enfermera que visita los barrios cada semana para controles de "
            "presión, diabetes y vacunas.",
        ),
        (
            "Xe y tế lưu động",
            "Xe có y tá đến các khu phố hằng tuần để đo huyết áp, kiểm tra tiểu đường và tiêm "
            "chủng.",
        ),
        "Northeast quadrant",
    ),
    (
        "gardens",
        "Food",
        "Community gardens on vacant lots",
        "Raised beds, water and tools on three vacant lots, run by block clubs.",
        20_000,
        ("Community garden on the vacant lot", "Fresh produce at corner stores"),
        (
            "Huertos comunitarios en lotes baldíos",
            "Camas elevadas, agua y herramientas en tres lotes baldíos, a cargo de clubes de "
            "cuadra.",
        ),
        (
            "Vườn cộng đồng trên các lô đất trống",
            "Luống trồng nâng, nước và dụng cụ trên ba lô đất trống, do các hội khu phố quản lý.",
        ),
        "Three vacant lots",
    ),
    (
        "lights",
        "Safety",
        "Brighter lights on dark corners",
        "LED street lights at the 40 darkest corners residents named.",
        55_000,
        ("Brighter street lights on dark corners",),
        (
            "Más luz en las esquinas oscuras",
            "Alumbrado LED en las 40 esquinas más oscuras que señalaron los residentes.",
        ),
        (
            "Đèn sáng hơn ở các góc phố tối",
            "Đèn đường LED tại 40 góc phố tối nhất do cư dân chỉ ra.",
        ),
        "City of Rochester",
    ),
    (
        "tax",
        "Money",
        "Free tax preparation clinics",
        "Volunteer tax clinics at libraries so families keep their refunds and credits.",
        15_000,
        ("Free tax preparation clinics",),
        (
            "Clínicas gratuitas de preparación de impuestos",
            "Clínicas de impuestos con voluntarios en bibliotecas para que las familias conserven "
            "sus reembolsos y créditos.",
        ),
        (
            "Phòng hỗ trợ khai thuế miễn phí",
            "Các buổi hỗ trợ khai thuế do tình nguyện viên thực hiện tại thư viện, giúp các gia "
            "đình nhận đủ tiền hoàn thuế và các khoản tín thuế.",
        ),
        "Library branches",
    ),
    (
        "laundry",
        "Money",
        "Laundromat vouchers for families",
        "Laundromat vouchers for families with school-age children, handed out by schools.",
        18_000,
        ("Laundromat vouchers for families",),
        (
            "Vales de lavandería para familias",
            "Vales de lavandería para familias con niños en edad escolar, entregados por las "
            "escuelas.",
        ),
        (
            "Phiếu giặt đồ cho các gia đình",
            "Phiếu dùng tại tiệm giặt tự động cho các gia đình có con em trong độ tuổi đi học, do"
            " nhà trường phát.",
        ),
        "City schools",
    ),
    (
        "licenses",
        "Jobs",
        "Driver's license program",
        "Learner's permits, driving lessons and road-test cars for adults who need a license "
        "to reach work.",
        28_000,
        ("Driver's license help",),
        (
            "Programa de licencias de conducir",
            "Permisos de aprendizaje, clases de manejo y autos para el examen para adultos que "
            "necesitan licencia para llegar al trabajo.",
        ),
        (
            "Chương trình hỗ trợ lấy bằng lái xe",
            "Giấy phép tập lái, các buổi học lái xe và xe dùng cho kỳ thi sát hạch, dành cho "
            "người lớn cần bằng lái để đi làm.",
        ),
        "County-wide",
    ),
    (
        "trauma",
        "Health",
        "Trauma-informed training for neighborhood groups",
        "Training for block clubs, coaches and faith groups on responding to trauma.",
        22_000,
        ("Trauma-informed training for neighborhood groups",),
        (
            "Capacitación sobre trauma para grupos del barrio",
            "Capacitación para clubes de cuadra, entrenadores y grupos de fe sobre cómo "
            "responder al trauma.",
        ),
        (
            "Tập huấn về sang chấn tâm lý cho các nhóm trong khu phố",
            "Tập huấn cho các hội khu phố, huấn luyện viên và các nhóm tôn giáo về cách ứng phó "
            "với sang chấn tâm lý.",
        ),
        "City of Rochester",
    ),
    (
        "coaching",
        "Money",
        "Financial coaching and credit repair",
        "One-on-one financial coaching and credit repair for 150 households.",
        32_000,
        ("Financial coaching and credit repair",),
        (
            "Asesoría financiera y reparación de crédito",
            "Asesoría financiera individual y reparación de crédito para 150 hogares.",
        ),
        (
            "Tư vấn tài chính và cải thiện điểm tín dụng",
            "Tư vấn tài chính riêng cho từng hộ và hỗ trợ cải thiện điểm tín dụng cho 150 hộ gia "
            "đình.",
        ),
        "County-wide",
    ),
    (
        "repairs",
        "Housing",
        "Home repair grants for older homeowners",
        "Grants for urgent roof, furnace and porch repairs for homeowners over 62.",
        80_000,
        ("Repairs for older homeowners",),
        (
            "Subsidios de reparación para propietarios mayores",
            "Subsidios para reparaciones urgentes de techo, calefacción y porche para "
            "propietarios mayores de 62 años.",
        ),
        (
            "Trợ cấp sửa nhà cho chủ nhà cao tuổi",
            "Trợ cấp sửa chữa khẩn cấp mái nhà, lò sưởi và hiên nhà cho chủ nhà trên 62 tuổi.",
        ),
        "City of Rochester",
    ),
    (
        "senior_rides",
        "Transport",
        "Rides for seniors",
        "Volunteer drivers and a dispatcher for seniors' medical appointments and shopping.",
        40_000,
        ("Rides for seniors to appointments",),
        (
            "Transporte para personas mayores",
            "Conductores voluntarios y un coordinador para citas médicas y compras de personas "
            "mayores.",
        ),
        (
            "Đưa đón người cao tuổi",
            "Tài xế tình nguyện và một điều phối viên đưa đón người cao tuổi đi khám bệnh và đi "
            "mua sắm.",
        ),
        "County-wide",
    ),
    (
        "tutoring",
        "Youth",
        "After-school tutoring at recreation centers",
        "Paid tutors and mentors four afternoons a week at three recreation centers.",
        45_000,
        ("After-school tutoring",),
        (
            "Tutorías después de clases en centros recreativos",
            "Tutores y mentores pagados cuatro tardes por semana en tres centros recreativos.",
        ),
        (
            "Phụ đạo sau giờ học tại các trung tâm sinh hoạt cộng đồng",
            "Gia sư và người hướng dẫn được trả thù lao, bốn buổi chiều mỗi tuần tại ba trung tâm"
            " sinh hoạt cộng đồng.",
        ),
        "Three recreation centers",
    ),
    (
        "wifi",
        "Youth",
        "Wi-Fi and laptops at recreation centers",
        "Fast Wi-Fi and 60 lending laptops at recreation centers.",
        35_000,
        ("Wi-Fi and laptops at recreation centers",),
        (
            "Wi-Fi y computadoras en centros recreativos",
            "Wi-Fi rápido y 60 computadoras portátiles en préstamo en centros recreativos.",
        ),
        (
            "Wi-Fi và máy tính xách tay tại các trung tâm sinh hoạt cộng đồng",
            "Wi-Fi tốc độ cao và 60 máy tính xách tay cho mượn tại các trung tâm sinh hoạt cộng "
            "đồng.",
        ),
        "Recreation centers",
    ),
    (
        "lead",
        "Housing",
        "Lead-safe window replacement",
        "Replace windows in 30 rental homes where children tested with high lead levels.",
        90_000,
        ("Lead-safe windows",),
        (
            "Reemplazo de ventanas para eliminar el plomo",
            "Cambiar las ventanas de 30 viviendas de alquiler donde niños tuvieron niveles altos "
            "de plomo.",
        ),
        (
            "Thay cửa sổ để phòng ngừa nhiễm độc chì",
            "Thay cửa sổ tại 30 căn nhà cho thuê nơi trẻ em được xét nghiệm có nồng độ chì trong "
            "máu cao.",
        ),
        "City of Rochester",
    ),
    (
        "mothers",
        "Health",
        "Community health workers for new mothers",
        "Home visits by community health workers in a baby's first year.",
        65_000,
        ("Community health workers for new mothers",),
        (
            "Promotoras de salud para madres primerizas",
            "Visitas a domicilio de promotoras de salud durante el primer año del bebé.",
        ),
        (
            "Nhân viên y tế cộng đồng hỗ trợ các bà mẹ mới sinh con",
            "Nhân viên y tế cộng đồng đến thăm tại nhà trong năm đầu đời của em bé.",
        ),
        "City of Rochester",
    ),
    (
        "hotline",
        "Housing",
        "Bilingual tenant-rights hotline",
        "A phone and text hotline in English and Spanish on tenants' rights, with legal aid "
        "referrals.",
        27_000,
        ("Tenant rights hotline in Spanish",),
        (
            "Línea bilingüe de derechos de inquilinos",
            "Una línea telefónica y de mensajes en inglés y español sobre derechos de inquilinos, "
            "con referencias a ayuda legal.",
        ),
        (
            "Đường dây nóng song ngữ về quyền của người thuê nhà",
            "Đường dây nóng qua điện thoại và tin nhắn bằng tiếng Anh và tiếng Tây Ban Nha về "
            "quyền của người thuê nhà, kèm giới thiệu đến dịch vụ trợ giúp pháp lý.",
        ),
        "County-wide",
    ),
)

# The proposals' locations in Spanish and Vietnamese.
LOCATIONS = {
    "County-wide": ("En todo el condado", "Toàn quận"),
    "City of Rochester": ("Ciudad de Rochester", "Thành phố Rochester"),
    "Northeast and southwest quadrants": (
        "Cuadrantes noreste y suroeste",
        "Khu vực đông bắc và tây nam",
    ),
    "REACH site, City of Rochester": (
        "Terreno de REACH, Ciudad de Rochester",
        "Khu đất của REACH, Thành phố Rochester",
    ),
    "City parks": ("Parques de la ciudad", "Các công viên thành phố"),
    "Northeast quadrant": ("Cuadrante noreste", "Khu vực đông bắc"),
    "Three vacant lots": ("Tres lotes baldíos", "Ba lô đất trống"),
    "Library branches": ("Sucursales de la biblioteca", "Các chi nhánh thư viện"),
    "City schools": ("Escuelas de la ciudad", "Các trường học thành phố"),
    "Three recreation centers": ("Tres centros recreativos", "Ba trung tâm sinh hoạt cộng đồng"),
    "Recreation centers": ("Centros recreativos", "Các trung tâm sinh hoạt cộng đồng"),
}
