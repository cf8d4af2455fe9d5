# language: fr
Fonctionnalité: Stage obligatoire du permis probatoire et son échéance de quatre mois
  Un conducteur en permis probatoire qui perd au moins 3 points reçoit la lettre 48N : il doit
  suivre un stage dans les quatre mois qui suivent la réception (R15–R22, D1).

  @R10 @R15 @R17 @R19 @R20 @R26 @R27 @D1 @D3
  Scénario: Stage suivi dans les quatre mois : obligation remplie et points crédités
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et que nous sommes le 10/03/2026
    Quand la lettre 48N est reçue le 10/03/2026
    Alors l'échéance est le 10/07/2026
    Et l'obligation de stage est en attente
    Quand le conducteur suit le stage des 05/06/2026 et 06/06/2026
    Et l'attestation est reçue le 15/06/2026
    Et l'agent valide l'attestation
    Alors l'obligation de stage est remplie
    Et 3 points sont crédités
    Et le crédit prend effet le 07/06/2026
    Et le solde du permis est de 6 points
    Et le dossier est clos

  @D1 @R17
  Plan du scénario: L'échéance tombe le même jour quatre mois plus tard, ou le dernier jour du mois
    Étant donné un permis probatoire obtenu le 01/09/2024
    Et une infraction de 3 points commise le 01/10/2025
    Quand la lettre 48N est reçue le <réception>
    Alors l'échéance est le <échéance>

    Exemples:
      | réception  | échéance   |
      | 10/03/2026 | 10/07/2026 |
      | 31/10/2025 | 28/02/2026 |
      | 31/10/2027 | 29/02/2028 |
      | 31/05/2026 | 30/09/2026 |
      | 30/06/2026 | 30/10/2026 |
