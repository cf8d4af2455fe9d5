# language: fr
Fonctionnalité: Crédit des points et plafonds
  Un stage rapporte 4 points dans la limite du plafond du permis : 12, ou pendant la période
  probatoire 6 augmenté des majorations acquises (R1–R4, R26, R27) ; un retrait enregistré en
  retard mais décidé avant la date d'effet est déduit d'abord (R8, R43, D9).

  @R1 @R3 @R4 @R26 @D7
  Plan du scénario: Le crédit d'un stage est limité par le plafond du permis
    Étant donné un permis <type> obtenu le <obtention>
    Et une infraction de 2 points commise le 01/02/2026
    Et que nous sommes le 01/03/2026
    Quand le conducteur demande un stage volontaire
    Et le conducteur suit le stage des 05/06/2026 et 06/06/2026
    Et l'attestation est reçue et validée le 10/06/2026
    Alors le stage crédite 2 points
    Et le plafond du permis est de <plafond> points
    Et le solde du permis est de <plafond> points

    Exemples:
      | type                 | obtention  | plafond |
      | probatoire classique | 01/09/2025 | 6       |
      | probatoire classique | 01/09/2024 | 8       |
      | probatoire classique | 01/09/2023 | 10      |
      | probatoire AAC       | 01/09/2025 | 6       |
      | probatoire AAC       | 01/09/2024 | 9       |
      | non probatoire       | 01/01/2010 | 12      |

  @R2 @R3 @D7
  Scénario: Les majorations annuelles du permis probatoire classique : 6, 8, 10 puis 12
    Étant donné un permis probatoire classique obtenu le 01/05/2023
    Alors le solde du permis au 30/04/2024 est de 6 points
    Et le solde du permis au 01/05/2024 est de 8 points
    Et le solde du permis au 01/05/2025 est de 10 points
    Et le solde du permis au 01/05/2026 est de 12 points
    Quand le temps passe jusqu'au 01/06/2026
    Alors le relevé du permis contient une majoration de 2 points au 01/05/2024

  @R3 @D7
  Scénario: Une infraction pendant la période probatoire arrête les majorations
    Étant donné un permis probatoire AAC obtenu le 01/09/2024
    Et une infraction de 3 points commise le 01/08/2025
    Alors le solde du permis au 01/09/2025 est de 3 points
    Et le plafond du permis au 01/09/2025 est de 6 points

  @R8 @R43 @D9 @R26
  Plan du scénario: Un retrait décidé avant la date d'effet du stage est déduit avant le crédit
    Étant donné un permis non probatoire avec 10 points au 01/01/2026
    Et que nous sommes le 01/03/2026
    Quand le conducteur demande un stage volontaire
    Et le conducteur suit le stage des 05/06/2026 et 06/06/2026
    Et l'attestation est reçue et validée le 08/06/2026
    Alors le stage crédite 2 points
    Quand une infraction de 3 points commise le 20/05/2026, décidée le <décision> est enregistrée
    Alors le stage crédite <crédit> points
    Et le solde du permis est de <solde> points

    Exemples:
      | décision   | crédit | solde |
      | 01/06/2026 | 4      | 11    |
      | 07/06/2026 | 4      | 11    |
      | 08/06/2026 | 2      | 9     |

  @R27 @R40 @D3 @D4 @R39
  Scénario: Le crédit prend effet le lendemain du stage, même si l'attestation arrive tard
    Étant donné un permis non probatoire avec 6 points au 01/01/2026
    Et que nous sommes le 01/12/2026
    Quand le conducteur demande un stage volontaire
    Et le conducteur suit le stage des 30/12/2026 et 31/12/2026
    Et l'attestation est reçue le 31/01/2027
    Alors le préfet doit créditer les points avant le 28/02/2027
    Quand l'agent valide l'attestation
    Alors le crédit prend effet le 01/01/2027
    Et le solde du permis au 31/12/2026 est de 6 points
    Et le solde du permis au 01/01/2027 est de 10 points
