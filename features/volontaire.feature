# language: fr
Fonctionnalité: Stage volontaire et règle d'un stage par an
  Tout titulaire ayant perdu des points peut suivre un stage volontaire (R29) ; un stage ne
  rapporte des points qu'une fois par an, de date à date (R25, D2).

  @R20 @R26 @R29 @R45
  Scénario: Un stage volontaire crédite 4 points et ne donne lieu à aucun remboursement
    Étant donné un permis non probatoire avec 8 points au 01/01/2026
    Et que nous sommes le 01/03/2026
    Quand le conducteur demande un stage volontaire
    Et le conducteur suit le stage des 03/06/2026 et 04/06/2026
    Et l'attestation est reçue et validée le 10/06/2026
    Alors 4 points sont crédités
    Et le solde du permis est de 12 points
    Et le dossier ne donne lieu à aucun remboursement
    Et l'obligation de stage est sans objet
    Et le dossier est clos
    Et un courrier « Notification de points crédités » est joint au dossier
    Et aucun courrier « Décision relative au remboursement de l'amende » n'est joint au dossier

  @R25 @D2 @D10
  Plan du scénario: Un nouveau stage ne rapporte des points qu'à partir de la même date un an plus tard
    Étant donné un permis non probatoire avec 6 points au 01/01/2025
    Et le conducteur a suivi un stage volontaire des 02/09/2025 et 03/09/2025 crédité le 10/09/2025
    Quand le conducteur demande un stage volontaire
    Et le conducteur suit le stage des <jour 1> et <jour 2>
    Et l'attestation est reçue et validée le 10/09/2026
    Alors le stage crédite <points> points
    Et le solde du permis est de <solde> points

    Exemples:
      | jour 1     | jour 2     | points | solde |
      | 01/09/2026 | 02/09/2026 | 0      | 10    |
      | 02/09/2026 | 03/09/2026 | 2      | 12    |

  @R25 @D2
  Scénario: Le refus d'un stage trop rapproché cite la règle d'un an
    Étant donné un permis non probatoire avec 6 points au 01/01/2025
    Et le conducteur a suivi un stage volontaire des 02/09/2025 et 03/09/2025 crédité le 10/09/2025
    Quand le conducteur demande un stage volontaire
    Et le conducteur suit le stage des 01/09/2026 et 02/09/2026
    Et l'attestation est reçue et validée le 10/09/2026
    Alors aucun point n'est crédité (R25)
    Et le solde du permis au 05/09/2026 est de 10 points

  @R28 @R25
  Scénario: Un stage qui n'a rapporté aucun point ne fait pas courir le délai d'un an
    Étant donné un permis non probatoire avec 12 points au 01/01/2026
    Et une infraction de 1 point commise le 01/06/2023
    Et le conducteur a suivi un stage volontaire des 03/03/2026 et 04/03/2026 crédité le 10/03/2026
    Alors le stage crédite 0 points
    Quand une infraction de 3 points commise le 01/04/2026 est enregistrée
    Et le conducteur demande un stage volontaire
    Et le conducteur suit le stage des 05/06/2026 et 06/06/2026
    Et l'attestation est reçue et validée le 10/06/2026
    Alors 3 points sont crédités
    Et le solde du permis est de 12 points

  @R29
  Scénario: Sans retrait de points connu, le stage volontaire est refusé
    Étant donné un permis non probatoire obtenu le 01/01/2010
    Et que nous sommes le 01/03/2026
    Quand l'agent tente d'ouvrir un dossier de stage volontaire
    Alors la demande est refusée en citant la règle R29
    Quand une infraction de 2 points commise le 01/02/2026 est enregistrée
    Et le conducteur demande un stage volontaire
    Alors le dossier est en attente d'inscription

  @R35
  Scénario: Au troisième stage, le dossier rappelle l'entretien obligatoire avec le psychologue
    Étant donné un permis non probatoire avec 4 points au 01/01/2023
    Et le conducteur a suivi un stage volontaire des 02/03/2023 et 03/03/2023 crédité le 10/03/2023
    Et le conducteur a suivi un stage volontaire des 05/04/2024 et 06/04/2024 crédité le 12/04/2024
    Et une infraction de 2 points commise le 01/02/2025
    Quand le conducteur demande un stage volontaire
    Et le conducteur suit le stage des 05/06/2025 et 06/06/2025
    Et l'attestation est reçue et validée le 10/06/2025
    Alors 2 points sont crédités
    Et le dossier porte le signalement R35
    Et le solde du permis est de 12 points
