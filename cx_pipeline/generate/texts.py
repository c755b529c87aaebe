"""Multilingual phrase corpora for survey comments, review texts and brand replies.

Phrases are short, self-contained sentences so that any 1-3 of them read as a plausible
comment. Competition phrases carry an ``{other}`` placeholder for a brand name; the phrasing
avoids grammatical cases on the brand (quotes in Lithuanian, "a ... szolgáltató" in Hungarian)
because brand names cannot be inflected by a lookup table.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("en", "pt", "es", "hu", "lt", "de")
THEMES: tuple[str, ...] = ("product", "price", "channel", "service", "competition")
SENTIMENTS: tuple[str, ...] = ("pos", "neg")

PHRASES: dict[str, dict[str, dict[str, list[str]]]] = {
    "en": {
        "product": {
            "pos": [
                "The product works exactly as described.",
                "Build quality is excellent and it feels solid.",
                "Everything worked out of the box.",
                "Really happy with how reliable it has been.",
                "Great features for everyday use.",
            ],
            "neg": [
                "The device stopped working after two weeks.",
                "Poor build quality, it feels cheap.",
                "It keeps disconnecting and nobody can explain why.",
                "The product did not match the description.",
            ],
        },
        "price": {
            "pos": [
                "Good value for money.",
                "The price is fair for what you get.",
                "Cheaper than most alternatives and just as good.",
                "The monthly plan is affordable.",
            ],
            "neg": [
                "Far too expensive for what it is.",
                "They raised the price without any warning.",
                "There are hidden fees on the invoice.",
                "Not worth the money.",
            ],
        },
        "channel": {
            "pos": [
                "The app is easy to use.",
                "Ordering on the website was quick and simple.",
                "The store was tidy and well organised.",
                "The new app makes it easy to track my order.",
            ],
            "neg": [
                "The app crashes every time I try to log in.",
                "The website is slow and confusing.",
                "Payment on the website failed three times.",
                "The store was closed during its posted opening hours.",
            ],
        },
        "service": {
            "pos": [
                "Support solved my problem on the first call.",
                "The agent was friendly and patient.",
                "The delivery arrived a day early.",
                "Very quick answer from customer service.",
            ],
            "neg": [
                "I waited over an hour on the phone.",
                "Support never answered my e-mails.",
                "The delivery was late and the box was damaged.",
                "Every agent tells me something different.",
            ],
        },
        "competition": {
            "pos": [
                "I switched from {other} and never looked back.",
                "Much better than {other}, which I used before.",
                "After years with {other}, this is a relief.",
                "Compared to {other}, the service here is miles ahead.",
            ],
            "neg": [
                "{other} offers the same for less.",
                "I am thinking of switching to {other}.",
                "I regret leaving {other}.",
                "{other} treats its customers much better.",
            ],
        },
    },
    "pt": {
        "product": {
            "pos": [
                "O produto funciona exatamente como descrito.",
                "A qualidade de construção é excelente.",
                "Funcionou logo à primeira, sem complicações.",
                "Estou muito satisfeito com a fiabilidade.",
            ],
            "neg": [
                "O aparelho deixou de funcionar ao fim de duas semanas.",
                "Qualidade fraca, parece feito de plástico barato.",
                "Está sempre a desligar-se e ninguém sabe explicar porquê.",
                "O produto não corresponde à descrição.",
            ],
        },
        "price": {
            "pos": [
                "Boa relação qualidade-preço.",
                "O preço é justo pelo que oferece.",
                "Mais barato do que a concorrência e igualmente bom.",
                "A mensalidade é acessível.",
            ],
            "neg": [
                "Demasiado caro para o que é.",
                "Aumentaram o preço sem qualquer aviso.",
                "Há taxas escondidas na fatura.",
                "Não vale o dinheiro que custa.",
            ],
        },
        "channel": {
            "pos": [
                "A aplicação é muito fácil de usar.",
                "Encomendar no site foi rápido e simples.",
                "A loja estava arrumada e bem organizada.",
                "Com a nova aplicação consigo acompanhar a encomenda.",
            ],
            "neg": [
                "A aplicação bloqueia sempre que tento entrar.",
                "O site é lento e confuso.",
                "O pagamento no site falhou três vezes.",
                "A loja estava fechada dentro do horário anunciado.",
            ],
        },
        "service": {
            "pos": [
                "O apoio ao cliente resolveu o problema na primeira chamada.",
                "A funcionária foi simpática e paciente.",
                "A entrega chegou um dia antes do previsto.",
                "Resposta muito rápida do serviço de apoio.",
            ],
            "neg": [
                "Esperei mais de uma hora ao telefone.",
                "Nunca responderam aos meus e-mails.",
                "A entrega atrasou e a caixa chegou danificada.",
                "Cada atendente diz uma coisa diferente.",
            ],
        },
        "competition": {
            "pos": [
                "Mudei da {other} e não me arrependo.",
                "Muito melhor do que a {other}, que usava antes.",
                "Depois de anos com a {other}, isto é um alívio.",
                "Comparado com a {other}, o atendimento aqui é muito superior.",
            ],
            "neg": [
                "A {other} oferece o mesmo por menos dinheiro.",
                "Estou a pensar mudar para a {other}.",
                "Arrependo-me de ter saído da {other}.",
                "A {other} trata muito melhor os clientes.",
            ],
        },
    },
    "es": {
        "product": {
            "pos": [
                "El producto funciona tal como se describe.",
                "La calidad de fabricación es excelente.",
                "Funcionó a la primera, sin complicaciones.",
                "Estoy muy contento con lo fiable que es.",
                "El diseño es precioso y práctico.",
            ],
            "neg": [
                "El aparato dejó de funcionar a las dos semanas.",
                "Mala calidad, parece de plástico barato.",
                "Se desconecta continuamente y nadie sabe explicar por qué.",
                "El producto no coincide con la descripción.",
            ],
        },
        "price": {
            "pos": [
                "Buena relación calidad-precio.",
                "El precio es justo para lo que ofrece.",
                "Más barato que la competencia e igual de bueno.",
                "La cuota mensual es asequible.",
            ],
            "neg": [
                "Demasiado caro para lo que es.",
                "Subieron el precio sin avisar.",
                "Hay cargos ocultos en la factura.",
                "No vale lo que cuesta.",
            ],
        },
        "channel": {
            "pos": [
                "La aplicación es muy fácil de usar.",
                "Comprar en la web fue rápido y sencillo.",
                "La tienda estaba ordenada y bien organizada.",
                "Con la nueva app puedo seguir mi pedido sin problemas.",
            ],
            "neg": [
                "La aplicación se cierra cada vez que intento entrar.",
                "La página web es lenta y confusa.",
                "El pago en la web falló tres veces.",
                "La tienda estaba cerrada en horario de apertura.",
            ],
        },
        "service": {
            "pos": [
                "Atención al cliente resolvió mi problema en la primera llamada.",
                "La agente fue amable y paciente.",
                "El envío llegó un día antes de lo previsto.",
                "Respuesta muy rápida del servicio de atención.",
            ],
            "neg": [
                "Esperé más de una hora al teléfono.",
                "Nunca contestaron a mis correos.",
                "El pedido llegó tarde y la caja estaba dañada.",
                "Cada agente me dice una cosa distinta.",
            ],
        },
        "competition": {
            "pos": [
                "Me cambié de {other} y no me arrepiento.",
                "Mucho mejor que {other}, que usaba antes.",
                "Después de años con {other}, esto es un alivio.",
                "Comparado con {other}, la atención aquí es muy superior.",
            ],
            "neg": [
                "{other} ofrece lo mismo por menos dinero.",
                "Estoy pensando en cambiarme a {other}.",
                "Me arrepiento de haber dejado {other}.",
                "{other} trata mucho mejor a sus clientes.",
            ],
        },
    },
    "hu": {
        "product": {
            "pos": [
                "A termék pontosan úgy működik, ahogy leírták.",
                "A kidolgozás minősége kiváló.",
                "Elsőre működött, semmi bonyodalom nem volt.",
                "Nagyon elégedett vagyok a megbízhatóságával.",
            ],
            "neg": [
                "A készülék két hét után tönkrement.",
                "Gyenge minőség, olcsó műanyagnak tűnik.",
                "Folyton megszakad a kapcsolat, és senki sem tudja megmondani, miért.",
                "A termék nem felel meg a leírásnak.",
            ],
        },
        "price": {
            "pos": [
                "Jó ár-érték arány.",
                "Az ár korrekt ahhoz képest, amit kapok.",
                "Olcsóbb, mint a legtöbb alternatíva, és ugyanolyan jó.",
                "A havidíj megfizethető.",
            ],
            "neg": [
                "Túl drága ahhoz képest, amit nyújt.",
                "Előzetes értesítés nélkül emelték az árat.",
                "Rejtett díjak vannak a számlán.",
                "Nem éri meg az árát.",
            ],
        },
        "channel": {
            "pos": [
                "Az alkalmazás nagyon könnyen használható.",
                "A weboldalon gyors és egyszerű volt a rendelés.",
                "Az üzlet rendezett és átlátható volt.",
                "Az új appban könnyen nyomon követem a rendelésemet.",
            ],
            "neg": [
                "Az alkalmazás minden bejelentkezéskor összeomlik.",
                "A weboldal lassú és átláthatatlan.",
                "A fizetés háromszor is sikertelen volt a weboldalon.",
                "Az üzlet zárva volt a kiírt nyitvatartási időben.",
            ],
        },
        "service": {
            "pos": [
                "Az ügyfélszolgálat már az első hívásra megoldotta a problémámat.",
                "Az ügyintéző kedves és türelmes volt.",
                "A csomag egy nappal korábban megérkezett.",
                "Nagyon gyorsan válaszolt az ügyfélszolgálat.",
            ],
            "neg": [
                "Több mint egy órát vártam a telefonban.",
                "Soha nem válaszoltak az e-mailjeimre.",
                "A szállítás késett, és a doboz sérülten érkezett.",
                "Minden ügyintéző mást mond.",
            ],
        },
        "competition": {
            "pos": [
                "Korábban a {other} ügyfele voltam, ez sokkal jobb.",
                "Sokkal jobb, mint a {other}, amit korábban használtam.",
                "Évekig a {other} ügyfele voltam, ez igazi megkönnyebbülés.",
                "A {other} szolgáltatásához képest itt sokkal jobb a kiszolgálás.",
            ],
            "neg": [
                "A {other} ugyanezt olcsóbban kínálja.",
                "Azon gondolkodom, hogy átpártolok a {other} szolgáltatóhoz.",
                "Bánom, hogy otthagytam a {other} szolgáltatót.",
                "A {other} sokkal jobban bánik az ügyfeleivel.",
            ],
        },
    },
    "lt": {
        "product": {
            "pos": [
                "Produktas veikia būtent taip, kaip aprašyta.",
                "Gaminio kokybė puiki, jis atrodo tvirtas.",
                "Viskas veikė iš karto, be jokių problemų.",
                "Labai patenkintas jo patikimumu.",
            ],
            "neg": [
                "Įrenginys sugedo po dviejų savaičių.",
                "Prasta kokybė, atrodo kaip pigus plastikas.",
                "Ryšys nuolat nutrūksta, ir niekas negali paaiškinti kodėl.",
                "Produktas neatitinka aprašymo.",
            ],
        },
        "price": {
            "pos": [
                "Geras kainos ir kokybės santykis.",
                "Kaina sąžininga už tai, ką gauni.",
                "Pigiau nei daugelis alternatyvų ir ne prasčiau.",
                "Mėnesinis mokestis yra prieinamas.",
            ],
            "neg": [
                "Per brangu už tokį produktą.",
                "Pakėlė kainą be jokio įspėjimo.",
                "Sąskaitoje yra paslėptų mokesčių.",
                "Neverta tų pinigų.",
            ],
        },
        "channel": {
            "pos": [
                "Programėlė labai patogi naudoti.",
                "Užsisakyti svetainėje buvo greita ir paprasta.",
                "Parduotuvėje buvo tvarkinga ir jauku.",
                "Naujoje programėlėje lengva sekti užsakymą.",
            ],
            "neg": [
                "Programėlė užstringa kaskart, kai bandau prisijungti.",
                "Svetainė lėta ir paini.",
                "Mokėjimas svetainėje nepavyko tris kartus.",
                "Parduotuvė buvo uždaryta nurodytomis darbo valandomis.",
            ],
        },
        "service": {
            "pos": [
                "Klientų aptarnavimas išsprendė problemą per pirmą skambutį.",
                "Konsultantė buvo maloni ir kantri.",
                "Siuntinys atkeliavo diena anksčiau.",
                "Klientų aptarnavimas atsakė labai greitai.",
            ],
            "neg": [
                "Telefonu laukiau ilgiau nei valandą.",
                "Į mano laiškus taip ir neatsakė.",
                "Pristatymas vėlavo, o dėžė buvo pažeista.",
                "Kiekvienas konsultantas sako skirtingai.",
            ],
        },
        "competition": {
            "pos": [
                "Anksčiau naudojausi „{other}“ paslaugomis, čia daug geriau.",
                "Daug geriau nei „{other}“, kuria naudojausi anksčiau.",
                "Po daugelio metų su „{other}“ tai tikras palengvėjimas.",
                "Palyginti su „{other}“, aptarnavimas čia daug geresnis.",
            ],
            "neg": [
                "„{other}“ siūlo tą patį pigiau.",
                "Galvoju pereiti pas „{other}“.",
                "Gailiuosi, kad palikau „{other}“.",
                "„{other}“ su klientais elgiasi daug geriau.",
            ],
        },
    },
    "de": {
        "product": {
            "pos": [
                "Das Produkt funktioniert genau wie beschrieben.",
                "Die Verarbeitung ist hervorragend.",
                "Alles hat auf Anhieb funktioniert.",
                "Sehr zufrieden mit der Zuverlässigkeit.",
            ],
            "neg": [
                "Das Gerät ist nach zwei Wochen kaputtgegangen.",
                "Schlechte Qualität, wirkt wie billiges Plastik.",
                "Die Verbindung bricht ständig ab und niemand kann erklären, warum.",
                "Das Produkt entspricht nicht der Beschreibung.",
            ],
        },
        "price": {
            "pos": [
                "Gutes Preis-Leistungs-Verhältnis.",
                "Der Preis ist fair für das, was man bekommt.",
                "Günstiger als die meisten Alternativen und genauso gut.",
                "Die Monatsgebühr ist bezahlbar.",
            ],
            "neg": [
                "Viel zu teuer für das, was es ist.",
                "Der Preis wurde ohne Vorwarnung erhöht.",
                "Versteckte Gebühren auf der Rechnung.",
                "Das ist sein Geld nicht wert.",
            ],
        },
        "channel": {
            "pos": [
                "Die App ist sehr einfach zu bedienen.",
                "Die Bestellung auf der Website ging schnell und einfach.",
                "Der Laden war ordentlich und übersichtlich.",
                "Mit der neuen App kann ich meine Bestellung leicht verfolgen.",
            ],
            "neg": [
                "Die App stürzt bei jeder Anmeldung ab.",
                "Die Website ist langsam und unübersichtlich.",
                "Die Zahlung auf der Website ist dreimal fehlgeschlagen.",
                "Der Laden war während der angegebenen Öffnungszeiten geschlossen.",
            ],
        },
        "service": {
            "pos": [
                "Der Kundenservice hat mein Problem beim ersten Anruf gelöst.",
                "Die Mitarbeiterin war freundlich und geduldig.",
                "Die Lieferung kam einen Tag früher als erwartet.",
                "Sehr schnelle Antwort vom Kundenservice.",
            ],
            "neg": [
                "Ich hing über eine Stunde in der Warteschleife.",
                "Auf meine E-Mails kam nie eine Antwort.",
                "Die Lieferung kam zu spät und der Karton war beschädigt.",
                "Jeder Mitarbeiter sagt etwas anderes.",
            ],
        },
        "competition": {
            "pos": [
                "Ich bin von {other} gewechselt und bereue es nicht.",
                "Viel besser als {other}, wo ich vorher Kunde war.",
                "Nach Jahren bei {other} ist das eine echte Erleichterung.",
                "Im Vergleich zu {other} ist der Service hier viel besser.",
            ],
            "neg": [
                "{other} bietet das Gleiche günstiger an.",
                "Ich überlege, zu {other} zu wechseln.",
                "Ich bereue, dass ich {other} verlassen habe.",
                "{other} behandelt seine Kunden viel besser.",
            ],
        },
    },
}

# Review titles by sentiment class; "mixed" serves 3-star reviews.
TITLES: dict[str, dict[str, list[str]]] = {
    "en": {
        "pos": ["Great experience", "Highly recommend", "Very satisfied", "Excellent service"],
        "mixed": ["Mixed feelings", "It's okay", "Average", "Could be better"],
        "neg": ["Very disappointed", "Avoid", "Terrible experience", "Poor service"],
    },
    "pt": {
        "pos": ["Excelente experiência", "Recomendo", "Muito satisfeito", "Ótimo atendimento"],
        "mixed": ["Razoável", "Podia ser melhor", "Mais ou menos", "Nada de especial"],
        "neg": ["Muito desiludido", "Não recomendo", "Péssima experiência", "Mau serviço"],
    },
    "es": {
        "pos": ["Excelente experiencia", "Lo recomiendo", "Muy satisfecho", "Gran servicio"],
        "mixed": ["Regular", "Podría ser mejor", "Ni fu ni fa", "Nada especial"],
        "neg": ["Muy decepcionado", "No lo recomiendo", "Pésima experiencia", "Mal servicio"],
    },
    "hu": {
        "pos": ["Remek élmény", "Csak ajánlani tudom", "Nagyon elégedett vagyok", "Kiváló"],
        "mixed": ["Közepes", "Lehetne jobb", "Vegyes érzések", "Semmi különös"],
        "neg": ["Nagy csalódás", "Nem ajánlom", "Szörnyű tapasztalat", "Gyenge szolgáltatás"],
    },
    "lt": {
        "pos": ["Puiki patirtis", "Rekomenduoju", "Labai patenkintas", "Puikus aptarnavimas"],
        "mixed": ["Vidutiniškai", "Galėtų būti geriau", "Nieko ypatingo", "Mišrūs jausmai"],
        "neg": [
            "Didelis nusivylimas",
            "Nerekomenduoju",
            "Siaubinga patirtis",
            "Prastas aptarnavimas",
        ],
    },
    "de": {
        "pos": ["Tolle Erfahrung", "Sehr empfehlenswert", "Sehr zufrieden", "Top Service"],
        "mixed": ["Geht so", "Könnte besser sein", "Durchschnittlich", "Gemischte Gefühle"],
        "neg": [
            "Sehr enttäuscht",
            "Nicht zu empfehlen",
            "Schreckliche Erfahrung",
            "Schlechter Service",
        ],
    },
}

SUGGESTIONS: dict[str, list[str]] = {
    "en": [
        "Please add live chat at weekends.",
        "It would help to get delivery updates by SMS.",
        "Offer a cheaper plan without extras.",
        "Make the invoice easier to understand.",
        "Let me change my order in the app.",
    ],
    "pt": [
        "Gostava de ter chat ao fim de semana.",
        "Seria útil receber atualizações da entrega por SMS.",
        "Ofereçam um plano mais barato sem extras.",
        "Tornem a fatura mais fácil de perceber.",
    ],
    "es": [
        "Añadan chat en directo los fines de semana.",
        "Sería útil recibir avisos de entrega por SMS.",
        "Ofrezcan un plan más barato sin extras.",
        "Hagan la factura más fácil de entender.",
    ],
    "hu": [
        "Jó lenne, ha hétvégén is lenne élő chat.",
        "Hasznos lenne SMS-ben értesítést kapni a szállításról.",
        "Legyen olcsóbb csomag extrák nélkül.",
        "A számla legyen érthetőbb.",
    ],
    "lt": [
        "Norėčiau, kad savaitgaliais veiktų tiesioginis pokalbis.",
        "Būtų naudinga gauti pristatymo informaciją SMS žinute.",
        "Pasiūlykite pigesnį planą be papildomų paslaugų.",
        "Padarykite sąskaitą aiškesnę.",
    ],
    "de": [
        "Bitte bietet auch am Wochenende einen Live-Chat an.",
        "Lieferupdates per SMS wären hilfreich.",
        "Bietet einen günstigeren Tarif ohne Extras an.",
        "Macht die Rechnung verständlicher.",
    ],
}

# Brand replies to reviews; {name} is the reviewer's first name, {brand} the replying brand.
REPLIES: dict[str, dict[str, list[str]]] = {
    "en": {
        "pos": [
            "Thank you for your kind words, {name}! The {brand} team",
            "Thanks for the great review, {name}. We are glad you are happy!",
            "We really appreciate your feedback, {name}. See you soon!",
        ],
        "neg": [
            "We are sorry to hear this, {name}. Please contact our support so we can help.",
            "Thank you for the feedback, {name}. We have passed it on and will get in touch.",
            "Sorry about your experience, {name}. Please send us your order number.",
        ],
    },
    "pt": {
        "pos": [
            "Obrigado pelas suas palavras, {name}! A equipa {brand}",
            "Muito obrigado pela avaliação, {name}. Ficamos contentes!",
            "Agradecemos o seu comentário, {name}. Até breve!",
        ],
        "neg": [
            "Lamentamos muito, {name}. Contacte o nosso apoio para podermos ajudar.",
            "Obrigado pelo comentário, {name}. Já passámos a informação à equipa.",
            "Pedimos desculpa pela situação, {name}. Envie-nos o número da encomenda.",
        ],
    },
    "es": {
        "pos": [
            "¡Gracias por sus palabras, {name}! El equipo de {brand}",
            "Muchas gracias por la reseña, {name}. ¡Nos alegra que esté contento!",
            "Agradecemos su opinión, {name}. ¡Hasta pronto!",
        ],
        "neg": [
            "Sentimos mucho lo ocurrido, {name}. Contacte con soporte para ayudarle.",
            "Gracias por su opinión, {name}. Ya lo hemos trasladado al equipo.",
            "Disculpe las molestias, {name}. Envíenos su número de pedido.",
        ],
    },
    "hu": {
        "pos": [
            "Köszönjük a kedves szavakat, {name}! A {brand} csapata",
            "Köszönjük az értékelést, {name}. Örülünk, hogy elégedett!",
            "Nagyra értékeljük a visszajelzését, {name}. Viszontlátásra!",
        ],
        "neg": [
            "Sajnáljuk, {name}. Kérjük, keresse ügyfélszolgálatunkat, hogy segíthessünk.",
            "Köszönjük a visszajelzést, {name}. Továbbítottuk a kollégáknak.",
            "Elnézést kérünk, {name}. Kérjük, küldje el a rendelésszámát.",
        ],
    },
    "lt": {
        "pos": [
            "Ačiū už malonius žodžius, {name}! „{brand}“ komanda",
            "Dėkojame už įvertinimą, {name}. Džiaugiamės, kad esate patenkinti!",
            "Vertiname jūsų atsiliepimą, {name}. Iki greito!",
        ],
        "neg": [
            "Labai apgailestaujame, {name}. Susisiekite su mūsų pagalbos tarnyba.",
            "Ačiū už atsiliepimą, {name}. Perdavėme informaciją komandai.",
            "Atsiprašome, {name}. Atsiųskite mums savo užsakymo numerį.",
        ],
    },
    "de": {
        "pos": [
            "Vielen Dank für die netten Worte, {name}! Ihr {brand}-Team",
            "Danke für die tolle Bewertung, {name}. Wir freuen uns!",
            "Wir schätzen Ihr Feedback sehr, {name}. Bis bald!",
        ],
        "neg": [
            "Das tut uns leid, {name}. Bitte kontaktieren Sie unseren Support.",
            "Danke für das Feedback, {name}. Wir haben es an das Team weitergegeben.",
            "Entschuldigen Sie die Umstände, {name}. Bitte senden Sie uns Ihre Bestellnummer.",
        ],
    },
}

# Contact details that a later stage must redact; e-mail domains are reserved example domains.
PII_TEMPLATES: dict[str, dict[str, str]] = {
    "en": {"phone": "Call me at {phone}.", "email": "Write to {email}."},
    "pt": {"phone": "Liguem-me para o {phone}.", "email": "Escrevam para {email}."},
    "es": {"phone": "Llámenme al {phone}.", "email": "Escríbanme a {email}."},
    "hu": {"phone": "Hívjanak a {phone} számon.", "email": "Írjanak a {email} címre."},
    "lt": {"phone": "Skambinkite man {phone}.", "email": "Rašykite man {email}."},
    "de": {"phone": "Rufen Sie mich unter {phone} an.", "email": "Schreiben Sie an {email}."},
}

# Digit templates ('#' = random digit) in each country's usual grouping.
PHONE_FORMATS: dict[str, list[str]] = {
    "en": ["+44 7### ######", "+1 415 555 0###"],
    "pt": ["+351 91# ### ###", "+55 11 9#### ####"],
    "es": ["+34 6## ### ###", "+52 55 #### ####"],
    "hu": ["+36 30 ### ####", "+36 20 ### ####"],
    "lt": ["+370 6## #####"],
    "de": ["+49 151 ### #####"],
}
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.org", "mail.example.net")

# Person names: (first names, family names) split by gender because Lithuanian family names
# agree with gender; Hungarian names are shown family name first.
NAMES: dict[str, dict[str, tuple[list[str], list[str]]]] = {
    "en": {
        "f": (
            ["Emma", "Sophie", "Grace", "Hannah", "Chloe", "Olivia"],
            ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clarke", "Walker", "Hughes"],
        ),
        "m": (
            ["James", "Oliver", "Daniel", "Michael", "Liam", "Thomas"],
            ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clarke", "Walker", "Hughes"],
        ),
    },
    "pt": {
        "f": (
            ["Maria", "Ana", "Beatriz", "Inês", "Mariana", "Joana"],
            ["Silva", "Santos", "Ferreira", "Oliveira", "Costa", "Martins", "Sousa", "Gonçalves"],
        ),
        "m": (
            ["João", "Pedro", "Tiago", "Rafael", "Luís", "Gonçalo"],
            ["Silva", "Santos", "Ferreira", "Oliveira", "Costa", "Martins", "Sousa", "Gonçalves"],
        ),
    },
    "es": {
        "f": (
            ["Lucía", "Carmen", "Sofía", "Marta", "Elena", "Paula"],
            ["García", "Martínez", "López", "Sánchez", "Pérez", "González", "Fernández", "Ruiz"],
        ),
        "m": (
            ["Javier", "Pablo", "Alejandro", "Diego", "Andrés", "Sergio"],
            ["García", "Martínez", "López", "Sánchez", "Pérez", "González", "Fernández", "Ruiz"],
        ),
    },
    "hu": {
        "f": (
            ["Anna", "Zsófia", "Eszter", "Katalin", "Réka", "Dóra"],
            ["Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár"],
        ),
        "m": (
            ["Péter", "László", "Gábor", "Balázs", "Bence", "Zoltán"],
            ["Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár"],
        ),
    },
    "lt": {
        "f": (
            ["Rūta", "Greta", "Eglė", "Ieva", "Austėja", "Gabija"],
            ["Kazlauskienė", "Petrauskaitė", "Jankauskienė", "Stankevičiūtė", "Žukauskaitė"],
        ),
        "m": (
            ["Jonas", "Tomas", "Mantas", "Lukas", "Darius", "Mindaugas"],
            ["Kazlauskas", "Petrauskas", "Jankauskas", "Stankevičius", "Žukauskas"],
        ),
    },
    "de": {
        "f": (
            ["Anna", "Laura", "Lea", "Sophie", "Marie", "Julia"],
            ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"],
        ),
        "m": (
            ["Lukas", "Felix", "Jonas", "Maximilian", "Paul", "Stefan"],
            ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"],
        ),
    },
}
FAMILY_NAME_FIRST: tuple[str, ...] = ("hu",)

# Suggestions by the theme they are about (THEMES order; every phrase holds a keyword of
# its theme in the theme_keywords seed), so suggestion themes can follow the scores.
THEMED_SUGGESTIONS: dict[str, dict[str, list[str]]] = {
    "en": {
        "product": [
            "Please make the device battery last longer.",
            "Add a feature to pause the subscription.",
        ],
        "price": [
            "Offer a cheaper plan without extras.",
            "Make the invoice easier to understand.",
        ],
        "channel": [
            "Please add live chat at weekends.",
            "Let me change my order in the app.",
        ],
        "service": [
            "It would help to get delivery updates by SMS.",
            "Let the same agent handle my case from start to end.",
        ],
        "competition": ["Match the loyalty discount other providers give."],
    },
    "pt": {
        "product": [
            "O aparelho devia ter uma bateria que dure mais.",
            "Melhorem a qualidade do produto.",
        ],
        "price": [
            "Ofereçam um plano mais barato sem extras.",
            "Tornem a fatura mais fácil de perceber.",
        ],
        "channel": [
            "Gostava de ter chat no site ao fim de semana.",
            "Deixem alterar a encomenda na app.",
        ],
        "service": [
            "Seria útil receber atualizações da entrega por SMS.",
            "O mesmo atendente devia seguir o meu caso.",
        ],
        "competition": ["Igualem o desconto de fidelização da concorrência."],
    },
    "es": {
        "product": [
            "El aparato debería tener más batería.",
            "Mejoren la calidad del producto.",
        ],
        "price": [
            "Ofrezcan un plan más barato sin extras.",
            "Hagan la factura más fácil de entender.",
        ],
        "channel": [
            "Añadan chat en la web los fines de semana.",
            "Dejen cambiar el pedido en la app.",
        ],
        "service": [
            "Sería útil recibir avisos de envío por SMS.",
            "Que el mismo agente lleve mi caso de principio a fin.",
        ],
        "competition": ["Igualen el descuento de fidelidad de la competencia."],
    },
    "hu": {
        "product": [
            "A készülék akkumulátora bírja tovább.",
            "Javítsák a termék minőségét.",
        ],
        "price": ["Legyen olcsóbb díjcsomag extrák nélkül.", "A számla legyen érthetőbb."],
        "channel": [
            "Jó lenne, ha hétvégén is lenne chat a weboldalon.",
            "Lehessen a rendelést az alkalmazásban módosítani.",
        ],
        "service": [
            "Hasznos lenne SMS-ben értesítést kapni a szállításról.",
            "Ugyanaz az ügyintéző vigye végig az ügyemet.",
        ],
        "competition": ["Adjanak olyan hűségkedvezményt, mint a konkurencia."],
    },
    "lt": {
        "product": [
            "Įrenginio baterija turėtų veikti ilgiau.",
            "Pagerinkite produkto kokybę.",
        ],
        "price": [
            "Pasiūlykite pigiau planą be papildomų paslaugų.",
            "Padarykite sąskaitą aiškesnę.",
        ],
        "channel": [
            "Norėčiau, kad savaitgaliais svetainėje būtų pokalbis.",
            "Leiskite keisti užsakymą programėlėje.",
        ],
        "service": [
            "Būtų naudinga gauti pristatymo informaciją SMS žinute.",
            "Tas pats konsultantas turėtų tvarkyti mano klausimą.",
        ],
        "competition": ["Pasiūlykite tokią nuolaidą kaip konkurentai."],
    },
    "de": {
        "product": [
            "Das Gerät sollte einen stärkeren Akku haben.",
            "Verbessert die Qualität des Produkts.",
        ],
        "price": [
            "Bietet einen günstigeren Tarif ohne Extras an.",
            "Macht die Rechnung verständlicher.",
        ],
        "channel": [
            "Bitte bietet am Wochenende einen Chat auf der Website an.",
            "Ich möchte meine Bestellung in der App ändern.",
        ],
        "service": [
            "Updates zur Lieferung per SMS wären hilfreich.",
            "Derselbe Mitarbeiter sollte meinen Fall betreuen.",
        ],
        "competition": ["Gebt denselben Treuerabatt wie die Konkurrenz."],
    },
}

# Demands beyond any service standard (what a business manages rather than meets), by
# theme: service (instant answers day and night) and price (everything free).
DEMANDS: dict[str, dict[str, list[str]]] = {
    "en": {
        "service": ["Every call should be answered within ten seconds, day and night."],
        "price": ["Refund the whole year's fee whenever anything goes wrong."],
    },
    "pt": {
        "service": ["O atendimento devia responder em dez segundos, dia e noite."],
        "price": ["Devolvam a mensalidade do ano inteiro sempre que algo falhe."],
    },
    "es": {
        "service": ["La atención debería contestar en diez segundos, día y noche."],
        "price": ["Devuelvan la cuota de todo el año cuando algo falle."],
    },
    "hu": {
        "service": ["Az ügyfélszolgálat tíz másodpercen belül vegye fel, éjjel-nappal."],
        "price": ["Fizessék vissza az egész éves díjat, ha bármi hiba van."],
    },
    "lt": {
        "service": ["Aptarnavimas turėtų atsiliepti per dešimt sekundžių, dieną ir naktį."],
        "price": ["Grąžinkite viso metų mokestį, kai tik kas nors sugenda."],
    },
    "de": {
        "service": ["Jeder Anruf sollte in zehn Sekunden angenommen werden, Tag und Nacht."],
        "price": ["Erstattet die Gebühr des ganzen Jahres, sobald etwas schiefgeht."],
    },
}
